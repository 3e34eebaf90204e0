import { keepPreviousData, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import type { Template } from '../../../engine/api/schemas/messaging';
import type {
  TemplatePreview,
  TemplateSyntaxProblem,
  TemplateVersion,
  TestSend,
} from '../../../engine/api/schemas/templates';
import type { TemplateFields } from '../../../engine/messaging/templates/fields';
import type { TemplateInput } from '../../../engine/messaging/templates/templates';
import { api } from './client';

export type { Template, TemplateFields, TemplatePreview, TemplateSyntaxProblem, TemplateVersion, TestSend };
export type TemplateDraft = Omit<TemplateInput, 'tags'> & { tags: string[] };

export const templateKinds = [
  'email',
  'sms',
  'push',
  'slack',
  'webhook',
  'wechat',
  'layout',
  'snippet',
] as const;
export type TemplateKind = (typeof templateKinds)[number];

export interface TemplateFilters {
  search?: string;
  channel?: string;
  tag?: string;
}

/** A preview's subject: a stored contact, or sample JSON (with an optional sample event). */
export interface PreviewTarget {
  contactId?: string;
  contact?: Record<string, unknown>;
  event?: { name?: string; properties?: Record<string, unknown> };
}

const keys = {
  all: ['templates'] as const,
  list: (filters: TemplateFilters) => ['templates', 'list', filters] as const,
  one: (id: string) => ['templates', 'one', id] as const,
  versions: (id: string) => ['templates', 'versions', id] as const,
  fields: ['templates', 'fields'] as const,
};

function query(filters: TemplateFilters): string {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(filters)) if (value) params.set(key, value);
  const text = params.toString();
  return text ? `?${text}` : '';
}

export function useTemplates(filters: TemplateFilters) {
  return useQuery({
    queryKey: keys.list(filters),
    queryFn: async () => (await api.get<{ data: Template[] }>(`/templates${query(filters)}`)).data,
    placeholderData: keepPreviousData,
  });
}

export function useTemplate(id: string | undefined) {
  return useQuery({
    queryKey: keys.one(id ?? 'new'),
    queryFn: () => api.get<Template>(`/templates/${id}`),
    enabled: !!id,
  });
}

export function useTemplateVersions(id: string | undefined) {
  return useQuery({
    queryKey: keys.versions(id ?? 'new'),
    queryFn: async () => (await api.get<{ data: TemplateVersion[] }>(`/templates/${id}/versions`)).data,
    enabled: !!id,
  });
}

/** The published journeys that send a template. */
export function useTemplateUsage(id: string | undefined) {
  return useQuery({
    queryKey: ['templates', 'usage', id ?? 'new'],
    queryFn: async () =>
      (await api.get<{ data: { id: string; name: string; status: string }[] }>(`/templates/${id}/usage`))
        .data,
    enabled: !!id,
  });
}

export function useTemplateFields() {
  return useQuery({
    queryKey: keys.fields,
    queryFn: () => api.get<TemplateFields>('/templates/fields'),
    staleTime: 60_000,
  });
}

export function useTemplateChanges() {
  const queryClient = useQueryClient();
  const onSuccess = () => queryClient.invalidateQueries({ queryKey: keys.all });
  return {
    create: useMutation({
      mutationFn: (draft: TemplateDraft) => api.post<Template>('/templates', draft),
      onSuccess,
    }),
    update: useMutation({
      mutationFn: ({ id, draft }: { id: string; draft: TemplateDraft }) =>
        api.put<Template>(`/templates/${id}`, draft),
      onSuccess,
    }),
    revert: useMutation({
      mutationFn: ({ id, version }: { id: string; version: number }) =>
        api.post<Template>(`/templates/${id}/versions/${version}/revert`),
      onSuccess,
    }),
    remove: useMutation({ mutationFn: (id: string) => api.delete<void>(`/templates/${id}`), onSuccess }),
  };
}

export const validateTemplate = (parts: Partial<TemplateDraft>) =>
  api.post<{ problems: TemplateSyntaxProblem[] }>('/templates/validate', {
    subject: parts.subject,
    preheader: parts.preheader,
    body: parts.body,
    html: parts.mjml ? undefined : parts.html,
    mjml: parts.mjml,
  });

export const previewTemplate = (draft: TemplateDraft, target: PreviewTarget) =>
  api.post<TemplatePreview>('/templates/preview', {
    ...target,
    template: {
      name: draft.name || undefined,
      channel: draft.channel,
      subject: draft.subject,
      preheader: draft.preheader,
      body: draft.body,
      html: draft.mjml ? undefined : draft.html,
      mjml: draft.mjml || undefined,
    },
  });

export function useSendTemplateTest() {
  return useMutation({
    mutationFn: ({ draft, to, target }: { draft: TemplateDraft; to: string; target: PreviewTarget }) =>
      api.post<TestSend>('/templates/test', {
        ...target,
        to,
        template: {
          name: draft.name || undefined,
          channel: draft.channel,
          subject: draft.subject,
          preheader: draft.preheader,
          body: draft.body,
          html: draft.mjml ? undefined : draft.html,
          mjml: draft.mjml || undefined,
        },
      }),
  });
}
