import type { HandlerContext } from "@connectrpc/connect";
import type { Caller } from "../domain/caller";

/** Runs an RPC as the Caller its token makes, every error turned into the API's. */
export type AsCaller = <T>(context: HandlerContext, call: (caller: Caller) => Promise<T>) => Promise<T>;
