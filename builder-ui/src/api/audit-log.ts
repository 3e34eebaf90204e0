import { keepPreviousData, useQuery } from '@tanstack/react-query';
import type { Json } from '../../../engine/api/schemas/common';
import type { AuditRow as EngineAuditRow } from '../../../engine/identity/audit';
import { api } from './client';

export type AuditRow = Json<EngineAuditRow>;

/** The filters of `GET /v1/audit-log` the page offers; empty strings are left out. */
export interface AuditFilters {
  actor: string;
  action: string;
  objectType: string;
  /** ISO instants (the page turns its local dates into them). */
  from: string;
  to: string;
}

export const auditKeys = {
  all: ['audit-log'] as const,
  page: (filters: AuditFilters, cursor: string | null) => [...auditKeys.all, filters, cursor] as const,
};

/** The query string of the filters, shared by the page and the CSV export. */
export function auditQuery(filters: AuditFilters, extra: Record<string, string> = {}): string {
  const params = new URLSearchParams();
  for (const [name, value] of Object.entries({ ...filters, ...extra })) if (value) params.set(name, value);
  const query = params.toString();
  return query ? `?${query}` : '';
}

/** One page of the log, newest first; `nextCursor` opens the next (older) page. */
export function useAuditPage(filters: AuditFilters, cursor: string | null, limit = 50) {
  return useQuery({
    queryKey: auditKeys.page(filters, cursor),
    queryFn: () =>
      api.get<{ data: AuditRow[]; nextCursor: string | null }>(
        `/audit-log${auditQuery(filters, { limit: String(limit), ...(cursor ? { cursor } : {}) })}`,
      ),
    placeholderData: keepPreviousData,
  });
}
