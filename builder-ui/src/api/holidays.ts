import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import type { Json } from '../../../engine/api/schemas/common';
import type { HolidayRow } from '../../../engine/automation/holidays/holidays';
import { api } from './client';

export type Holiday = Json<HolidayRow>;

const holidayKeys = { all: ['holidays'] as const, presets: ['holiday-presets'] as const };

export function useHolidays() {
  return useQuery({
    queryKey: holidayKeys.all,
    queryFn: async () => (await api.get<{ data: Holiday[] }>('/holidays')).data,
  });
}

export function useHolidayPresets() {
  return useQuery({
    queryKey: holidayKeys.presets,
    queryFn: async () =>
      (await api.get<{ data: { country: string; name: string }[] }>('/holiday-presets')).data,
    staleTime: Number.POSITIVE_INFINITY,
  });
}

export function useHolidayChanges() {
  const queryClient = useQueryClient();
  const onSuccess = () => queryClient.invalidateQueries({ queryKey: holidayKeys.all });
  return {
    add: useMutation({
      mutationFn: (input: { name: string; date: string }) => api.post<Holiday>('/holidays', input),
      onSuccess,
    }),
    remove: useMutation({ mutationFn: (id: string) => api.delete<void>(`/holidays/${id}`), onSuccess }),
    preset: useMutation({
      mutationFn: (country: string) => api.post<{ data: Holiday[] }>('/holidays/presets', { country }),
      onSuccess,
    }),
  };
}
