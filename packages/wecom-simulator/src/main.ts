#!/usr/bin/env node
// `node packages/wecom-simulator/src/main.ts --port 3100 [--callback-url … --token … --aes-key …]`:
// runs the simulator alone with the demo corp, e.g. to point a Kehu instance or curl at it.
import { parseArgs } from 'node:util';
import { startDemoCorp, startWeComSimulator } from './index.ts';

const { values } = parseArgs({
  options: {
    host: { type: 'string', default: '127.0.0.1' },
    port: { type: 'string', default: '3100' },
    'callback-url': { type: 'string' },
    token: { type: 'string' },
    'aes-key': { type: 'string' },
    'loss-rate': { type: 'string', default: '0' },
    seed: { type: 'string' },
  },
});

const sim = await startWeComSimulator({
  host: values.host,
  port: Number(values.port),
  lossRate: Number(values['loss-rate']),
  seed: values.seed ? Number(values.seed) : undefined,
});
const demo = startDemoCorp(sim, {
  callbackUrl: values['callback-url'],
  token: values.token,
  encodingAESKey: values['aes-key'],
});
console.log(`WeCom simulator listening at ${sim.url}`);
console.log(`demo corp ${demo.corpId}: contact secret ${demo.contactSecret}, app secret ${demo.appSecret}`);
for (const sig of ['SIGINT', 'SIGTERM'] as const)
  process.on(sig, () => {
    sim.close().then(() => process.exit(0));
  });
