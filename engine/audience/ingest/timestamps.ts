/**
 * When an event happened, corrected for the client's clock: `receivedAt − (sentAt −
 * originalTimestamp)` when the client says when it sent the message, else the timestamp it
 * gave, else the time it arrived.
 */
export function correctedTimestamp(
  receivedAt: Date,
  fields: { timestamp?: string; originalTimestamp?: string; sentAt?: string },
): Date {
  const original = fields.originalTimestamp ?? fields.timestamp;
  if (original && fields.sentAt) {
    const skew = Date.parse(fields.sentAt) - Date.parse(original);
    return new Date(receivedAt.getTime() - skew);
  }
  if (fields.timestamp) return new Date(fields.timestamp);
  return receivedAt;
}
