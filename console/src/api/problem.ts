import { Code, ConnectError } from "@connectrpc/connect";

/** What went wrong with a call, in words for the person at the screen. */
export function problemText(error: unknown): string {
  const connect = ConnectError.from(error);
  switch (connect.code) {
    case Code.Unauthenticated:
      return "The service did not accept this API token. Check that it is complete, and that it has not expired or been revoked.";
    case Code.PermissionDenied:
      return `You may not do this: ${connect.rawMessage}`;
    case Code.Unavailable:
    case Code.Unknown:
      return `The Stackwright service cannot be reached (${connect.rawMessage}).`;
    case Code.DeadlineExceeded:
      return "The Stackwright service took too long to answer; try again.";
    default:
      return connect.rawMessage;
  }
}

/** Whether the call failed because the token is no good: the console then asks for another. */
export function isSignedOut(error: unknown): boolean {
  return error instanceof ConnectError && error.code === Code.Unauthenticated;
}
