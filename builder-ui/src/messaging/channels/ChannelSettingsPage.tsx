import { useChannels } from '../../api/channels';
import { useCan } from '../../api/session';
import { ErrorAlert } from '../../components/ErrorAlert';
import { ChannelCard } from './ChannelCard';
import { SuppressionsSection } from './SuppressionsSection';
import { TopicsSection } from './TopicsSection';

/**
 * Channel settings: one card per channel the server lists (a connector added by a plugin
 * appears by itself), then topics and the suppression list.
 */
export function ChannelSettingsPage() {
  const answer = useChannels();
  const can = useCan();
  const data = answer.data;
  const channels = data
    ? [...new Set([...data.providers.map((p) => p.channel), ...data.data.map((s) => s.channel)])]
    : [];
  return (
    <div className="page" data-testid="channels-page">
      <div className="page-head">
        <h1>Channels</h1>
      </div>
      <p className="help">
        Secret fields (passwords, tokens, keys) are write-only: they are stored encrypted and never shown
        again. Leave one empty to keep it.
      </p>
      <ErrorAlert error={answer.error} />
      <div className="cards">
        {channels.map((channel) => (
          <ChannelCard
            key={channel}
            channel={channel}
            settings={data?.data.find((s) => s.channel === channel)}
            providers={(data?.providers ?? []).filter((p) => p.channel === channel)}
            canManage={can('channels:manage')}
          />
        ))}
      </div>
      <TopicsSection canManage={can('channels:manage')} />
      {can('contacts:read') && <SuppressionsSection channels={channels} canRemove={can('contacts:write')} />}
    </div>
  );
}
