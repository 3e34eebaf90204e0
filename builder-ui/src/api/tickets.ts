import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import type { Json } from '../../../engine/api/schemas/common';
import type { Agent } from '../../../engine/crm/tickets/assignees';
import type { TicketDetail } from '../../../engine/crm/tickets/detail';
import type { TicketReport } from '../../../engine/crm/tickets/reports';
import type { SlaPolicyInput, SlaPolicyRow } from '../../../engine/crm/tickets/sla-policies';
import type {
  CommentInput,
  TicketCommentRow,
  TicketInput,
  TicketPatch,
  TicketRow,
} from '../../../engine/crm/tickets/tickets';
import { api } from './client';

export type Ticket = Json<TicketRow>;
export type TicketView = Json<TicketDetail>;
export type TicketComment = Json<TicketCommentRow>;
export type TicketAgent = Agent;
export type SlaPolicy = Json<SlaPolicyRow>;
export type { TicketReport };

export interface TicketFilters {
  status?: string;
  priority?: string;
  assigneeUserId?: string;
  queue?: string;
  q?: string;
  unassigned?: boolean;
}

const keys = {
  all: ['tickets'] as const,
  list: (filters: TicketFilters) => ['tickets', 'list', filters] as const,
  one: (id: string) => ['tickets', 'one', id] as const,
  agents: ['ticket-agents'] as const,
  policies: ['sla-policies'] as const,
  report: (q: object) => ['ticket-reports', q] as const,
};

const query = (params: object) => {
  const search = new URLSearchParams();
  for (const [key, value] of Object.entries(params)) if (value) search.set(key, String(value));
  const text = search.toString();
  return text ? `?${text}` : '';
};

/** Tickets the inbox shows on one page. */
export const TICKET_PAGE_SIZE = 25;

/** One page of the inbox; `cursor` is the `nextCursor` of the page before ('' for the first). */
export function useTickets(filters: TicketFilters, cursor = '') {
  const params = { ...filters, limit: TICKET_PAGE_SIZE, cursor };
  return useQuery({
    queryKey: keys.list(params),
    queryFn: () => api.get<{ data: Ticket[]; nextCursor: string | null }>(`/tickets${query(params)}`),
    placeholderData: (previous) => previous,
  });
}

export function useTicket(id: string) {
  return useQuery({ queryKey: keys.one(id), queryFn: () => api.get<TicketView>(`/tickets/${id}`) });
}

export function useTicketAgents() {
  return useQuery({
    queryKey: keys.agents,
    queryFn: async () => (await api.get<{ data: TicketAgent[] }>('/ticket-agents')).data,
  });
}

export function useSlaPolicies() {
  return useQuery({
    queryKey: keys.policies,
    queryFn: async () => (await api.get<{ data: SlaPolicy[] }>('/sla-policies')).data,
  });
}

export function useTicketReport(q: { from: string; to: string; bucket: string }) {
  return useQuery({
    queryKey: keys.report(q),
    queryFn: () => api.get<Json<TicketReport>>(`/ticket-reports${query(q)}`),
  });
}

export function useTicketChanges() {
  const queryClient = useQueryClient();
  const onSuccess = () => queryClient.invalidateQueries({ queryKey: keys.all });
  return {
    create: useMutation({
      mutationFn: (input: TicketInput) => api.post<Ticket>('/tickets', input),
      onSuccess,
    }),
    update: useMutation({
      mutationFn: ({ id, ...patch }: TicketPatch & { id: string }) =>
        api.patch<Ticket>(`/tickets/${id}`, patch),
      onSuccess,
    }),
    comment: useMutation({
      mutationFn: ({ id, ...input }: CommentInput & { id: string }) =>
        api.post<TicketComment>(`/tickets/${id}/comments`, input),
      onSuccess,
    }),
  };
}

export function useSlaPolicyChanges() {
  const queryClient = useQueryClient();
  const onSuccess = () => queryClient.invalidateQueries({ queryKey: keys.policies });
  return {
    save: useMutation({
      mutationFn: ({ priority, ...input }: SlaPolicyInput) =>
        api.put<SlaPolicy>(`/sla-policies/${priority}`, input),
      onSuccess,
    }),
    remove: useMutation({
      mutationFn: (priority: string) => api.delete<void>(`/sla-policies/${priority}`),
      onSuccess,
    }),
  };
}
