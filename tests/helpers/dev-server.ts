import {
  type DevServer,
  DevServerExited,
  type DevServerOptions,
  startDevServer,
} from '../../engine/temporal/dev-server';
import { freePort } from './ports';

/**
 * Starts a Temporal dev server on ports free when it starts. One that exits during start-up (a
 * port taken meanwhile by another process of the suite) is started again on other ports, up to
 * three times in all; the ports it runs on come back, for a restart on the same ones.
 */
export async function startDevServerOnFreePorts(
  options: Omit<DevServerOptions, 'port' | 'uiPort'>,
): Promise<{ server: DevServer; port: number; uiPort: number }> {
  for (let attempt = 1; ; attempt++) {
    const ports = { port: await freePort(), uiPort: await freePort() };
    try {
      return { server: await startDevServer({ ...options, ...ports }), ...ports };
    } catch (error) {
      if (!(error instanceof DevServerExited) || attempt >= 3) throw error;
      options.log?.(`${(error as Error).message.split('\n')[0]}; starting it again on other ports`);
    }
  }
}
