import { after, before, describe } from "node:test";
import { PostgresDatabase } from "../../../src/jobs/store/postgres-database";
import { type PostgresServer, startPostgres } from "../../support/postgres-server";
import { jobPlanContract } from "./job-plan-contract";
import { platformStoreContract } from "./platform-store-contract";
import { sqlDatabaseContract } from "./sql-database-contract";
import { jobStoreContract } from "./store-contract";

describe("job store on PostgreSQL", () => {
  let server: PostgresServer;
  before(async () => {
    server = await startPostgres();
  });
  after(async () => server?.stop());
  jobStoreContract(async () => PostgresDatabase.open(await server.createDatabase()));
  jobPlanContract(async () => PostgresDatabase.open(await server.createDatabase()));
  sqlDatabaseContract(async () => PostgresDatabase.open(await server.createDatabase()));
  platformStoreContract(async () => PostgresDatabase.open(await server.createDatabase()));
});
