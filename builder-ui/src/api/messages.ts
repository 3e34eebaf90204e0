import { useQuery } from '@tanstack/react-query';
import { optionalList } from './client';

const MESSAGES_EVERY_MS = 5000;

export interface Message {
  id: string;
  channel: string;
  status: string;
  reason?: string | null;
  recipient?: string | null;
  subject?: string | null;
  body?: string | null;
  contactId?: string | null;
  journeyId?: string | null;
  nodeId?: string | null;
  createdAt?: string;
}

export const messageKeys = {
  all: ['messages'] as const,
  recent: () => [...messageKeys.all, 'recent'] as const,
  ofContact: (contactId: string) => [...messageKeys.all, 'contact', contactId] as const,
  outbox: () => [...messageKeys.all, 'outbox'] as const,
};

/** The latest 100 messages, refreshed every few seconds; null where the server has no log. */
export function useRecentMessages() {
  return useQuery({
    queryKey: messageKeys.recent(),
    queryFn: () => optionalList<Message>('/messages?limit=100'),
    refetchInterval: MESSAGES_EVERY_MS,
  });
}

/** Messages captured by the dev outbox, refreshed every few seconds; null where there is none. */
export function useDevOutbox() {
  return useQuery({
    queryKey: messageKeys.outbox(),
    queryFn: () => optionalList<Message>('/dev/outbox'),
    refetchInterval: MESSAGES_EVERY_MS,
  });
}

export function useContactMessages(contactId: string) {
  return useQuery({
    queryKey: messageKeys.ofContact(contactId),
    queryFn: () => optionalList<Message>(`/messages?contactId=${contactId}`),
  });
}
