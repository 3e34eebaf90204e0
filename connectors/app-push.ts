import { z } from 'zod';
import { apnsConfig, sendToApns } from './apns';
import { type ConnectorContext, defineConnector } from './connector';
import { fcmConfig, sendToFcm } from './fcm';
import { type PushOutcome, pushDevices, settlePush } from './push-devices';

const apns = apnsConfig.shape;

/** Both mobile providers in one setting: the FCM service account and the APNs p8 key, side by side. */
const config = z.object({
  fcmServiceAccount: fcmConfig.shape.serviceAccount,
  fcmApiUrl: fcmConfig.shape.apiUrl,
  apnsTeamId: apns.teamId,
  apnsKeyId: apns.keyId,
  apnsPrivateKey: apns.privateKey,
  apnsTopic: apns.topic,
  apnsEnvironment: apns.environment,
  apnsApiUrl: apns.apiUrl,
  apnsCaCertificate: apns.caCertificate,
});

type AppPushConfig = z.infer<typeof config>;

const none: PushOutcome = { sent: [], gone: [], failed: [] };

/**
 * FCM and APNs together: each device token goes to its platform's provider — iOS tokens to
 * APNs, Android and web tokens to FCM — in one send. Tokens either provider calls invalid are
 * pruned; the send counts as sent when any device took it.
 */
export const appPush = defineConnector({
  id: 'fcm-apns',
  channel: 'push',
  title: 'FCM + APNs (Android and web through FCM, iOS through APNs)',
  configSchema: config,
  secretFields: ['fcmServiceAccount', 'apnsPrivateKey'],
  async send(message, ctx: ConnectorContext<AppPushConfig>) {
    const cfg = ctx.config;
    const devices = pushDevices('FCM + APNs', message.recipient, ['android', 'web', 'ios']);
    const ios = devices.filter((d) => d.platform === 'ios');
    const others = devices.filter((d) => d.platform !== 'ios');
    const [viaFcm, viaApns] = await Promise.all([
      others.length > 0
        ? sendToFcm(
            message,
            others,
            { serviceAccount: cfg.fcmServiceAccount, apiUrl: cfg.fcmApiUrl },
            ctx.cache,
          )
        : none,
      ios.length > 0
        ? sendToApns(
            message,
            ios,
            {
              teamId: cfg.apnsTeamId,
              keyId: cfg.apnsKeyId,
              privateKey: cfg.apnsPrivateKey,
              topic: cfg.apnsTopic,
              environment: cfg.apnsEnvironment,
              apiUrl: cfg.apnsApiUrl,
              caCertificate: cfg.apnsCaCertificate,
            },
            ctx.cache,
          )
        : none,
    ]);
    return settlePush(
      'FCM + APNs',
      {
        sent: [...viaFcm.sent, ...viaApns.sent],
        gone: [...viaFcm.gone, ...viaApns.gone],
        failed: [...viaFcm.failed, ...viaApns.failed],
      },
      ctx.onRecipientGone,
    );
  },
});
