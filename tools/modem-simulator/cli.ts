import { startSimulatedModems } from './index';

/**
 * Runs simulated modems until Ctrl-C, for trying the SMS worker by hand:
 *   npx tsx tools/modem-simulator/cli.ts 4
 *   SMS_PORTS=<printed paths> npm run worker:sms
 * Type "<modem number> <phone> <text>" on stdin to make that phone send a message to a modem.
 */
async function main(): Promise<void> {
  const count = Number(process.argv[2] ?? 4);
  const sim = await startSimulatedModems({ count });
  console.log(`SMS_PORTS=${sim.devicePaths.join(',')}`);
  sim.modems.forEach((m, i) => console.log(`modem ${i + 1}: IMEI ${m.imei}, number ${m.ownNumber}`));
  sim.network.on('part', (p: { from: string; to: string; text: string }) => console.log(`→ ${p.to} (from ${p.from}): ${p.text}`));
  process.stdin.setEncoding('utf8');
  process.stdin.on('data', (line: string) => {
    const m = /^(\d+)\s+(\S+)\s+(.+)$/.exec(line.trim());
    const modem = m ? sim.modems[Number(m[1]) - 1] : undefined;
    if (!m || !modem) return console.log('usage: <modem number> <phone> <text>');
    sim.network.sendFromPhone(m[2], modem.ownNumber, m[3]);
  });
  const stop = () => void sim.stop().then(() => process.exit(0));
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
