import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { DescEnum } from "@bufbuild/protobuf";
import { ROLES } from "../../../src/catalog/permissions";
import {
  JobStatus,
  JobStatusSchema,
  Operation,
  OperationSchema,
} from "../../../src/jobs/api/gen/stackwright/jobs/v1/jobs_pb";
import {
  ApprovalDecisionSchema,
  CompensationOutcomeSchema,
  DeploymentKindSchema,
  DeploymentStatusSchema,
  DeploymentStepNameSchema,
  DeploymentStepStatusSchema,
  DeployPolicyScopeSchema,
  FailurePolicySchema,
  RoleSchema,
} from "../../../src/jobs/api/gen/stackwright/platform/v1/platform_pb";
import {
  APPROVAL_DECISION_ENUM,
  COMPENSATION_OUTCOME_ENUM,
  DEPLOY_POLICY_SCOPE_ENUM,
  DEPLOYMENT_KIND_ENUM,
  DEPLOYMENT_STATUS_ENUM,
  type EnumTable,
  expectedEnumValues,
  FAILURE_POLICY_ENUM,
  fromProtoJobStatus,
  fromProtoOperation,
  ROLE_ENUM,
  STEP_NAME_ENUM,
  STEP_STATUS_ENUM,
  toProtoJobStatus,
  toProtoOperation,
} from "../../../src/jobs/api/proto-enums";
import {
  APPROVAL_DECISIONS,
  DEPLOY_POLICY_SCOPES,
  DEPLOYMENT_KINDS,
  DEPLOYMENT_STATUSES,
  FAILURE_POLICIES,
  STEP_NAMES,
  STEP_STATUSES,
} from "../../../src/jobs/domain/deployment";
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

  // The deployment's vocabulary: each table's words are the domain's list, each to the value of
  // its own name (`awaiting_approval` → DEPLOYMENT_STATUS_AWAITING_APPROVAL, `compensate-refresh` →
  // DEPLOYMENT_STEP_NAME_COMPENSATE_REFRESH), and every value of the enum back.
  const TABLES: [string, EnumTable<string, number>, readonly string[], DescEnum, string][] = [
    ["deployment kinds", DEPLOYMENT_KIND_ENUM, DEPLOYMENT_KINDS, DeploymentKindSchema, "DEPLOYMENT_KIND_"],
    [
      "deployment statuses",
      DEPLOYMENT_STATUS_ENUM,
      DEPLOYMENT_STATUSES,
      DeploymentStatusSchema,
      "DEPLOYMENT_STATUS_",
    ],
    ["step names", STEP_NAME_ENUM, STEP_NAMES, DeploymentStepNameSchema, "DEPLOYMENT_STEP_NAME_"],
    ["step statuses", STEP_STATUS_ENUM, STEP_STATUSES, DeploymentStepStatusSchema, "DEPLOYMENT_STEP_STATUS_"],
    [
      "approval decisions",
      APPROVAL_DECISION_ENUM,
      APPROVAL_DECISIONS,
      ApprovalDecisionSchema,
      "APPROVAL_DECISION_",
    ],
    ["failure policies", FAILURE_POLICY_ENUM, FAILURE_POLICIES, FailurePolicySchema, "FAILURE_POLICY_"],
    [
      "compensation outcomes",
      COMPENSATION_OUTCOME_ENUM,
      ["succeeded", "failed", "kept"],
      CompensationOutcomeSchema,
      "COMPENSATION_OUTCOME_",
    ],
    [
      "deploy policy scopes",
      DEPLOY_POLICY_SCOPE_ENUM,
      DEPLOY_POLICY_SCOPES,
      DeployPolicyScopeSchema,
      "DEPLOY_POLICY_SCOPE_",
    ],
    ["roles", ROLE_ENUM, ROLES, RoleSchema, "ROLE_"],
  ];
  for (const [what, table, words, schema, prefix] of TABLES)
    it(`map every one of the ${what} both ways, by name, and nothing for UNSPECIFIED`, () => {
      assert.deepEqual(table.all, words);
      assert.deepEqual(
        words.map((word) => schema.value[table.toProto(word)]?.name),
        words.map((word) => `${prefix}${word.toUpperCase().replaceAll("-", "_")}`),
      );
      for (const value of schema.values.filter((v) => v.number !== 0)) {
        const word = table.fromProto(value.number);
        assert.ok(word !== undefined, `${value.name} has no word`);
        assert.equal(table.toProto(word), value.number);
      }
      assert.equal(table.fromProto(0), undefined);
      assert.equal(table.fromProto(99), undefined);
    });
});
