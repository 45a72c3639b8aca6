/** `npm run temporal`: only the embedded Temporal dev server, in the foreground. */
import { loadConfig } from '../config';
import { startDevServer } from '../temporal';
import { runProcess } from './processes';

await runProcess(async (stopLater) => {
  const server = await startDevServer(loadConfig());
  stopLater(() => server.stop());
  console.log(`temporal  ${server.address}  (UI ${server.uiUrl})${server.owned ? '' : ' — already running, nothing to do'}`);
  if (!server.owned) process.exit(0);
});
