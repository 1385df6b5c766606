// Starts the fauxqs SQS/S3/SNS emulator for tests on 127.0.0.1 only, on a free port, and prints
// "port N" once it accepts connections. fauxqs itself listens on every interface; the project's
// servers and peers bind to loopback, so listen() is pointed at 127.0.0.1 here.
// Usage: node tests/peers/fauxqs.mjs   (fauxqs from tools/node_modules)
import net from 'node:net';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const listen = net.Server.prototype.listen;
net.Server.prototype.listen = function (...args) {
  if (args[0] && typeof args[0] === 'object' && args[0].host === '0.0.0.0') {
    args[0] = { ...args[0], host: '127.0.0.1' };
  }
  return listen.apply(this, args);
};

const here = path.dirname(fileURLToPath(import.meta.url));
const entry = path.join(here, '..', '..', 'tools', 'node_modules', 'fauxqs', 'dist', 'app.js');
const { startFauxqs } = await import(pathToFileURL(entry).href);
const server = await startFauxqs({
  port: Number(process.env.FAUXQS_PORT ?? 0),
  host: '127.0.0.1',
  logger: process.env.FAUXQS_LOGGER === 'true',
});
process.stdout.write(`port ${server.port}\n`);
for (const signal of ['SIGTERM', 'SIGINT']) {
  process.on(signal, async () => {
    await server.stop();
    process.exit(0);
  });
}
