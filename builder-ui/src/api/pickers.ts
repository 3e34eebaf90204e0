import { useQuery } from '@tanstack/react-query';
import { optionalList } from './client';

interface Named {
  id: string;
  name: string;
}

/** Templates, segments, pipelines and deal owners for the config forms' suggestions, where the server has them. */
export function usePickerSources() {
  return useQuery({
    queryKey: ['picker-sources'],
    queryFn: async () => {
      const [templates, segments, pipelines, dealOwners, socialAccounts, contentItems, campaigns] =
        await Promise.all([
          optionalList<Named>('/templates'),
          optionalList<Named>('/segments'),
          optionalList<Named & { stages: Named[] }>('/pipelines'),
          optionalList<{ userId: string; name: string; email: string }>('/deals/owners'),
          optionalList<Named & { provider: string }>('/social/accounts'),
          optionalList<{ id: string; title: string; kind: string }>('/content?status=published'),
          optionalList<Named>('/campaigns'),
        ]);
      return {
        templates: templates ?? [],
        segments: segments ?? [],
        pipelines: pipelines ?? [],
        dealOwners: dealOwners ?? [],
        socialAccounts: socialAccounts ?? [],
        contentItems: contentItems ?? [],
        campaigns: campaigns ?? [],
      };
    },
  });
}
