/** An email to a person about their account (invitation, password reset), outside any journey. */
export interface AccountEmail {
  workspaceId: string;
  to: string;
  subject: string;
  text: string;
  /** Unique per email; a retry with the same key is not sent twice. */
  idempotencyKey: string;
}

/**
 * How identity sends account email. Sending belongs to messaging (the workspace's email channel
 * and the ledger), which sits above identity, so the runtime passes the sender in.
 */
export type AccountMailer = (email: AccountEmail) => Promise<void>;
