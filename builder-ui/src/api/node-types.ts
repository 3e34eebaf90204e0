import { useQuery } from '@tanstack/react-query';
import type { NodeType } from '../lib/types';
import { api } from './client';

export const nodeTypeKeys = { all: ['node-types'] as const };

/** Every installed version of every node type; read once per session (a reload picks up new ones). */
export const nodeTypesQuery = {
  queryKey: nodeTypeKeys.all,
  queryFn: async () => (await api.get<{ data: NodeType[] }>('/node-types')).data,
  staleTime: Number.POSITIVE_INFINITY,
};

export function useNodeTypes(enabled = true) {
  return useQuery({ ...nodeTypesQuery, enabled });
}
