import { createCipheriv, createDecipheriv, createHash, randomBytes } from "node:crypto";

/**
 * Envelope encryption for what the service keeps secret at rest (each tenant stack's passphrase,
 * tenants' credentials, secret parameters): every value gets a fresh data key, AES-256-GCM; the
 * data key is itself sealed with the service's master key (from its configuration, never in the
 * database). The value's owner (`context`, e.g. `stack-passphrase:<stack id>`) is bound in as
 * additional authenticated data, so a sealed value copied onto another owner's row does not
 * open. Older master keys still open what they sealed, so the master key can be rotated.
 */
export class Envelope {
  private readonly current: MasterKey;
  private readonly byId: ReadonlyMap<string, MasterKey>;

  /** `keys[0]` seals; every key opens what it sealed. Each is 32 bytes. */
  constructor(keys: readonly Buffer[]) {
    if (keys.length === 0) throw new Error("the envelope needs at least one master key");
    const masters = keys.map((key) => {
      if (key.length !== KEY_BYTES)
        throw new Error(`a master key is ${KEY_BYTES} bytes; this one is ${key.length}`);
      return { id: keyId(key), key };
    });
    this.current = masters[0] as MasterKey;
    this.byId = new Map(masters.map((m) => [m.id, m]));
  }

  /** The master key's id that seal() uses: shown in logs and status, never the key. */
  get keyId(): string {
    return this.current.id;
  }

  seal(plaintext: string, context: string): string {
    const dataKey = randomBytes(KEY_BYTES);
    try {
      const wrapped = encrypt(this.current.key, dataKey, `data-key:${context}`);
      const sealed = encrypt(dataKey, Buffer.from(plaintext, "utf8"), `value:${context}`);
      return [FORMAT, this.current.id, wrapped, sealed].join(".");
    } finally {
      dataKey.fill(0);
    }
  }

  /** The value sealed for `context`; throws SealedValueError when it cannot be opened. */
  open(sealed: string, context: string): string {
    const [format, id, wrapped, value, ...rest] = sealed.split(".");
    if (
      format !== FORMAT ||
      id === undefined ||
      wrapped === undefined ||
      value === undefined ||
      rest.length > 0
    )
      throw new SealedValueError("is not a sealed value of this service");
    const master = this.byId.get(id);
    if (master === undefined)
      throw new SealedValueError(
        `was sealed with master key ${id}, which the service's configuration no longer holds`,
      );
    let dataKey: Buffer | undefined;
    try {
      dataKey = decrypt(master.key, wrapped, `data-key:${context}`);
      return decrypt(dataKey, value, `value:${context}`).toString("utf8");
    } catch {
      throw new SealedValueError(`does not open for ${context}: altered, or sealed for another owner`);
    } finally {
      dataKey?.fill(0);
    }
  }
}

export class SealedValueError extends Error {
  constructor(reason: string) {
    super(`the secret ${reason}`);
    this.name = "SealedValueError";
  }
}

interface MasterKey {
  readonly id: string;
  readonly key: Buffer;
}

const FORMAT = "sw1";
export const KEY_BYTES = 32;
const IV_BYTES = 12;
const TAG_BYTES = 16;

/** A master key's public name: a digest prefix, so the same key always has the same id. */
function keyId(key: Buffer): string {
  return createHash("sha256").update("stackwright master key id\0").update(key).digest("hex").slice(0, 12);
}

/** iv ‖ tag ‖ ciphertext, base64url. */
function encrypt(key: Buffer, plaintext: Buffer, aad: string): string {
  const iv = randomBytes(IV_BYTES);
  const cipher = createCipheriv("aes-256-gcm", key, iv);
  cipher.setAAD(Buffer.from(aad, "utf8"));
  const ciphertext = Buffer.concat([cipher.update(plaintext), cipher.final()]);
  return Buffer.concat([iv, cipher.getAuthTag(), ciphertext]).toString("base64url");
}

function decrypt(key: Buffer, sealed: string, aad: string): Buffer {
  const bytes = Buffer.from(sealed, "base64url");
  if (bytes.length < IV_BYTES + TAG_BYTES) throw new Error("too short");
  const decipher = createDecipheriv("aes-256-gcm", key, bytes.subarray(0, IV_BYTES));
  decipher.setAAD(Buffer.from(aad, "utf8"));
  decipher.setAuthTag(bytes.subarray(IV_BYTES, IV_BYTES + TAG_BYTES));
  return Buffer.concat([decipher.update(bytes.subarray(IV_BYTES + TAG_BYTES)), decipher.final()]);
}
