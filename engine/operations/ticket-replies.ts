import { eq } from 'drizzle-orm';
import { contacts } from '../../db/schema';
import {
  addComment,
  type CommentInput,
  getTicket,
  type TicketActor,
  type TicketCommentRow,
  type TicketDeps,
} from '../crm/tickets/tickets';
import type { SecretBox } from '../identity/secret-box';
import { sendAccountEmail } from '../messaging/messages/account-email';

/**
 * Adds a comment to a ticket; a reply is also e-mailed to the contact (transactional, through
 * the workspace's email channel, the dev outbox without one), once per comment.
 */
export async function commentOnTicket(
  deps: TicketDeps & { secretBox: SecretBox },
  workspaceId: string,
  ticketId: string,
  input: CommentInput,
  actor: TicketActor,
): Promise<TicketCommentRow> {
  const comment = await addComment(deps, workspaceId, ticketId, input, actor);
  if (comment.kind !== 'reply') return comment;
  const ticket = await getTicket(deps.db, workspaceId, ticketId);
  const [contact] = await deps.db
    .select({ email: contacts.email })
    .from(contacts)
    .where(eq(contacts.id, ticket.contactId));
  if (contact?.email) {
    await sendAccountEmail(deps.db, deps.secretBox, {
      workspaceId,
      to: contact.email,
      subject: `Re: ${ticket.subject}`,
      text: comment.body,
      idempotencyKey: `ticket-reply:${comment.id}`,
    });
  }
  return comment;
}
