import { useQuery } from '@tanstack/react-query';
import { optionalList } from './client';

interface Named {
  id: string;
  name: string;
}

/** Templates and segments for the config forms' suggestions, where the server has them. */
export function usePickerSources() {
  return useQuery({
    queryKey: ['picker-sources'],
    queryFn: async () => {
      const [templates, segments] = await Promise.all([
        optionalList<Named>('/templates'),
        optionalList<Named>('/segments'),
      ]);
      return { templates: templates ?? [], segments: segments ?? [] };
    },
  });
}
