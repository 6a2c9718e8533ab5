import type { DescEnum } from "@bufbuild/protobuf";
import {
  LanguageSchema,
  Role,
  RoleSchema,
  StackStatusSchema,
  VersionStateSchema,
} from "../../jobs/api/gen/stackwright/platform/v1/platform_pb";
import { oneOf } from "../flag-values";

/**
 * The platform's enums as the words users read and type, the service's own (`yaml`,
 * `tenant-admin`, `deployed`): each value's name without the enum's prefix, lower-case, `_` as
 * `-`. Derived from the generated descriptors, so a value the API adds is a word here at once.
 */
export class EnumWords {
  private readonly byWord: ReadonlyMap<string, number>;
  private readonly byNumber: ReadonlyMap<number, string>;

  /** `except`: values the words leave out. */
  constructor(descriptor: DescEnum, except: readonly number[] = []) {
    const known = descriptor.values.filter((value) => value.number !== 0 && !except.includes(value.number));
    this.byWord = new Map(known.map((v) => [v.localName.toLowerCase().replaceAll("_", "-"), v.number]));
    this.byNumber = new Map([...this.byWord].map(([word, n]) => [n, word]));
  }

  get words(): string[] {
    return [...this.byWord.keys()];
  }

  /** `unknown` for a value a newer service sent that this client does not know. */
  text(value: number): string {
    return this.byNumber.get(value) ?? "unknown";
  }

  /** The value a flag names; anything else is refused naming the flag and the words. */
  parse(flag: string, raw: string): number {
    return oneOf(flag, raw, this.byWord);
  }
}

export const LANGUAGES = new EnumWords(LanguageSchema);
/** A membership's roles: Provider Admin is a user's flag, an approver's role at most, never a membership. */
export const ROLES = new EnumWords(RoleSchema, [Role.PROVIDER_ADMIN]);
export const STACK_STATUSES = new EnumWords(StackStatusSchema);
export const VERSION_STATES = new EnumWords(VersionStateSchema);
