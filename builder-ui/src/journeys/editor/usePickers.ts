import { useMemo } from 'react';
import { usePickerSources } from '../../api/pickers';
import type { Pickers } from '../../components/schema-form/SchemaForm';
import type { JourneySettings } from '../../lib/types';
import type { FlowNode } from './context';

/** Suggestions for the forms: events named in this journey, plus templates and segments where the API has them. */
export function usePickers(nodes: FlowNode[], settings: JourneySettings): Pickers {
  const sources = usePickerSources().data;
  const eventNames = useMemo(() => {
    const names = new Set<string>();
    for (const n of nodes)
      if (typeof n.data.config.event === 'string' && n.data.config.event) names.add(n.data.config.event);
    if (settings.goal?.event) names.add(settings.goal.event);
    // Deal changes are events on the deal's contacts: "deal entered stage" is Deal Stage Changed filtered by stageId.
    names.add('Deal Created');
    names.add('Deal Stage Changed');
    return [...names].sort();
  }, [nodes, settings]);
  return useMemo(
    () => ({
      template: (sources?.templates ?? []).map((t) => ({ value: t.name ?? t.id, label: t.name })),
      templateId: (sources?.templates ?? []).map((t) => ({ value: t.id, label: t.name })),
      segmentId: (sources?.segments ?? []).map((s) => ({ value: s.id, label: s.name })),
      event: eventNames.map((value) => ({ value })),
      pipelineId: (sources?.pipelines ?? []).map((p) => ({ value: p.id, label: p.name })),
      stageId: (sources?.pipelines ?? []).flatMap((p) =>
        p.stages.map((s) => ({ value: s.id, label: `${p.name} / ${s.name}` })),
      ),
      ownerUserId: (sources?.dealOwners ?? []).map((o) => ({ value: o.userId, label: o.name || o.email })),
      socialAccountId: (sources?.socialAccounts ?? []).map((a) => ({
        value: a.id,
        label: `${a.name} (${a.provider})`,
      })),
      contentItemId: (sources?.contentItems ?? []).map((i) => ({
        value: i.id,
        label: `${i.title} (${i.kind})`,
      })),
      campaignId: (sources?.campaigns ?? []).map((c) => ({ value: c.id, label: c.name })),
    }),
    [sources, eventNames],
  );
}
