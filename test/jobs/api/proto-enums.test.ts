import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
  JobStatus,
  JobStatusSchema,
  Operation,
  OperationSchema,
} from "../../../src/jobs/api/gen/stackwright/jobs/v1/jobs_pb";
import {
  expectedEnumValues,
  fromProtoJobStatus,
  fromProtoOperation,
  toProtoJobStatus,
  toProtoOperation,
} from "../../../src/jobs/api/proto-enums";
import { JOB_STATUSES, OPERATIONS } from "../../../src/jobs/domain/job";

describe("the API's enums and the service's vocabulary", () => {
  // The compiler holds the tables total over the domain's values; these hold them total over the
  // proto's, and each value to the enum value of its own name.
  it("map every operation both ways, by name", () => {
    assert.deepEqual(
      OPERATIONS.map((op) => OperationSchema.value[toProtoOperation(op)]?.name),
      OPERATIONS.map((op) => `OPERATION_${op.toUpperCase()}`),
    );
    for (const value of OperationSchema.values.filter((v) => v.number !== Operation.UNSPECIFIED)) {
      const operation = fromProtoOperation(value.number);
      assert.ok(operation !== undefined, `${value.name} has no operation`);
      assert.equal(toProtoOperation(operation), value.number);
    }
  });

  it("map every job status both ways, by name", () => {
    assert.deepEqual(
      JOB_STATUSES.map((status) => JobStatusSchema.value[toProtoJobStatus(status)]?.name),
      JOB_STATUSES.map((status) => `JOB_STATUS_${status.toUpperCase()}`),
    );
    for (const value of JobStatusSchema.values.filter((v) => v.number !== JobStatus.UNSPECIFIED)) {
      const status = fromProtoJobStatus(value.number);
      assert.ok(status !== undefined, `${value.name} has no status`);
      assert.equal(toProtoJobStatus(status), value.number);
    }
  });

  it("have no service value for UNSPECIFIED or a number this version does not know", () => {
    assert.equal(fromProtoOperation(Operation.UNSPECIFIED), undefined);
    assert.equal(fromProtoOperation(99 as Operation), undefined);
    assert.equal(fromProtoJobStatus(JobStatus.UNSPECIFIED), undefined);
    assert.equal(fromProtoJobStatus(-1 as JobStatus), undefined);
  });

  it("say what a request may send, without UNSPECIFIED", () => {
    assert.equal(
      expectedEnumValues(OperationSchema),
      "expected one of OPERATION_PREVIEW, OPERATION_UP, OPERATION_REFRESH, OPERATION_DESTROY",
    );
  });
});
