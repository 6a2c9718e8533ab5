import { AwsClient } from "aws4fetch";

/** An S3 access key: the id names the identity, the secret signs its requests. */
export interface S3Credentials {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
}

/** How long one request to the store may take. */
const REQUEST_TIMEOUT_MS = 30_000;

/**
 * What the service asks of an S3-compatible store with its admin identity: a bucket, and an
 * identity (IAM user) whose access key reaches only that bucket. SeaweedFS serves the IAM API
 * (CreateUser, CreateAccessKey, PutUserPolicy: the AWS query protocol) on its S3 port and turns
 * the policy into its own actions (`Read:<bucket>`, `Write:<bucket>`, `List:<bucket>`). Every
 * request is signed with SigV4 by aws4fetch. Each call may be repeated: what exists is kept.
 */
export class S3Admin {
  private readonly s3: AwsClient;
  private readonly iam: AwsClient;

  constructor(
    private readonly endpoint: string,
    region: string,
    admin: S3Credentials,
  ) {
    this.s3 = new AwsClient({ ...admin, service: "s3", region });
    this.iam = new AwsClient({ ...admin, service: "iam", region });
  }

  /** Whether the store answers the admin identity's listing of its buckets. */
  async answers(): Promise<boolean> {
    try {
      return (await this.s3.fetch(`${this.endpoint}/`, { signal: AbortSignal.timeout(2_000) })).ok;
    } catch {
      return false;
    }
  }

  /**
   * The user `name`, holding `key` (supplied: the caller has sealed it before it exists anywhere
   * else), allowed to read, write and list `bucket` and nothing else.
   */
  async ensureIdentity(name: string, key: S3Credentials, bucket: string): Promise<void> {
    await this.iamAction({ Action: "CreateUser", UserName: name }, true);
    await this.iamAction(
      {
        Action: "CreateAccessKey",
        UserName: name,
        AccessKeyId: key.accessKeyId,
        SecretAccessKey: key.secretAccessKey,
      },
      true,
      key.secretAccessKey,
    );
    await this.iamAction(
      {
        Action: "PutUserPolicy",
        UserName: name,
        PolicyName: "stackwright-state",
        PolicyDocument: JSON.stringify(bucketOnlyPolicy(bucket)),
      },
      false,
    );
  }

  async ensureBucket(bucket: string): Promise<void> {
    const url = `${this.endpoint}/${bucket}`;
    const head = await this.request(this.s3, url, { method: "HEAD" });
    if (head.ok) return;
    if (head.status !== 404) throw await refusal(`HeadBucket ${bucket}`, head);
    const created = await this.request(this.s3, url, { method: "PUT" });
    // 409: created meanwhile (BucketAlreadyOwnedByYou), by another of the service's processes.
    if (!created.ok && created.status !== 409) throw await refusal(`CreateBucket ${bucket}`, created);
  }

  /** One IAM action; `existsIsFine`: a 409 (EntityAlreadyExists) is success. */
  private async iamAction(
    params: Record<string, string>,
    existsIsFine: boolean,
    secret?: string,
  ): Promise<void> {
    const response = await this.request(this.iam, `${this.endpoint}/`, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded; charset=utf-8" },
      body: new URLSearchParams({ ...params, Version: "2010-05-08" }).toString(),
    });
    if (response.ok || (existsIsFine && response.status === 409)) {
      await response.body?.cancel();
      return;
    }
    throw await refusal(`IAM ${params.Action}`, response, secret);
  }

  private async request(client: AwsClient, url: string, init: RequestInit): Promise<Response> {
    try {
      return await client.fetch(url, { ...init, signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS) });
    } catch (error) {
      const cause = (error as { cause?: { code?: string } }).cause?.code ?? (error as Error).message;
      throw new Error(`the state store at ${this.endpoint} did not answer (${cause})`);
    }
  }
}

/** An IAM policy allowing the state's object operations on one bucket. */
export function bucketOnlyPolicy(bucket: string) {
  return {
    Version: "2012-10-17",
    Statement: [
      {
        Effect: "Allow",
        Action: ["s3:ListBucket", "s3:GetObject", "s3:PutObject", "s3:DeleteObject"],
        Resource: [`arn:aws:s3:::${bucket}`, `arn:aws:s3:::${bucket}/*`],
      },
    ],
  };
}

/**
 * The store's refusal as an error: the status and the error's code and message from its XML
 * answer (an S3 `<Error>` or an IAM `<ErrorResponse>`). `secret`, if the store echoed it, is not
 * repeated.
 */
async function refusal(what: string, response: Response, secret?: string): Promise<Error> {
  const text = await response.text().catch(() => "");
  const field = (tag: string) => new RegExp(`<${tag}>([^<]*)</${tag}>`).exec(text)?.[1];
  let detail = [field("Code"), field("Message")].filter((f) => f !== undefined && f !== "").join(": ");
  if (secret !== undefined && secret !== "") detail = detail.split(secret).join("[secret]");
  return new Error(
    `the state store refused ${what} (HTTP ${response.status}${detail === "" ? "" : `, ${detail}`})`,
  );
}
