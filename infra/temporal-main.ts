/** `npm run temporal`: only the embedded Temporal dev server, in the foreground. */
import { loadConfig } from './config';
import { onShutdown } from './processes';
import { startDevServer } from './temporal';

const server = await startDevServer(loadConfig());
console.log(`temporal  ${server.address}  (UI ${server.uiUrl})${server.owned ? '' : ' — already running, nothing to do'}`);
if (!server.owned) process.exit(0);
onShutdown(() => server.stop());
