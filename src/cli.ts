#!/usr/bin/env node
import cliProgress from 'cli-progress';
import { Command } from 'commander';
import { runCallCommand } from './cli/call-command.js';
import { ConfigError, loadConfig } from './config.js';
import { openDb } from './db/index.js';
import { migrate } from './db/migrate.js';
import { isAppError, UsageError } from './errors.js';
import { copyStore, createFolderStore, storeFor } from './lib/object-store.js';
import { serve } from './main.js';
import type { NumberProvisioning } from './modules/numbers/number-provisioning.js';
import { formatImportSummary, importNumbersFile } from './modules/numbers/numbers.import.js';
import { carrierAuthToken } from './telephony/auth-token.js';
import { carrierProvisioning } from './telephony/carrier-provisioning.js';

const program = new Command()
  .name('switchboard')
  .description('Call tracking and call routing that speaks the Convirza V2 REST API')
  .showHelpAfterError();

program
  .command('serve')
  .description('start the HTTP server (migrates the database and seeds the demo account first)')
  .action(async () => {
    await serve(loadConfig());
  });

program
  .command('migrate')
  .description('apply pending database migrations and exit')
  .action(async () => {
    const config = loadConfig();
    const db = await openDb({ databaseUrl: config.DATABASE_URL, dataDir: config.DATA_DIR });
    try {
      const applied = await migrate(db);
      process.stdout.write(applied.length ? `applied: ${applied.join(', ')}\n` : 'database is up to date\n');
    } finally {
      await db.close();
    }
  });

const numbers = program.command('numbers').description('manage the number inventory');

numbers
  .command('import')
  .argument('<file>', 'CSV file whose header row names number,rate_center,state,ocn')
  .description('add numbers to the inventory (invalid rows are reported, duplicates skipped)')
  .action(async (file: string) => {
    const config = loadConfig();
    const db = await openDb({ databaseUrl: config.DATABASE_URL, dataDir: config.DATA_DIR });
    const bar = new cliProgress.SingleBar(
      { format: 'importing [{bar}] {percentage}% | {rows} rows', hideCursor: true },
      cliProgress.Presets.shades_classic,
    );
    try {
      await migrate(db);
      const summary = await importNumbersFile(db, file, {
        onStart: (totalBytes) => bar.start(totalBytes, 0, { rows: 0 }),
        onProgress: ({ bytes, rows }) => bar.update(bytes, { rows }),
      });
      bar.update(bar.getTotal());
      bar.stop();
      process.stdout.write(formatImportSummary(summary));
      if (summary.invalid.length > 0) process.exitCode = 1;
    } catch (error) {
      bar.stop();
      if (!isAppError(error)) throw error;
      process.stderr.write(`${file}: ${error.message}\n`);
      process.exitCode = 1;
    } finally {
      await db.close();
    }
  });

/** Runs `work` with the database and the carrier account's provisioning, and closes them. */
async function withProvisioning(work: (provisioning: NumberProvisioning) => Promise<void>): Promise<void> {
  const config = loadConfig();
  const db = await openDb({ databaseUrl: config.DATABASE_URL, dataDir: config.DATA_DIR });
  try {
    await migrate(db);
    const { token } = await carrierAuthToken(db, config.TWILIO_AUTH_TOKEN);
    await work(carrierProvisioning(config, db, token));
  } catch (error) {
    if (!isAppError(error)) throw error;
    process.stderr.write(`${error.message}\n`);
    process.exitCode = 1;
  } finally {
    await db.close();
  }
}

numbers
  .command('sync')
  .description('import the numbers the carrier account owns, and report those whose webhooks point elsewhere')
  .action(() =>
    withProvisioning(async (provisioning) => {
      const bar = new cliProgress.SingleBar(
        { format: 'reading the account [{bar}] {value} numbers', hideCursor: true },
        cliProgress.Presets.shades_classic,
      );
      bar.start(0, 0);
      const report = await provisioning
        .sync((done) => {
          bar.setTotal(done);
          bar.update(done);
        })
        .finally(() => bar.stop());
      const lines = [
        `${report.owned} numbers in the carrier account, ${report.imported.length} new in the inventory`,
        ...(report.elsewhere.length === 0
          ? ['every number points at this server']
          : [
              `${report.elsewhere.length} point elsewhere (run \`switchboard numbers rewire\` to point them here):`,
              ...report.elsewhere.map(
                ({ number, voiceUrl }) => `  ${number}  ${voiceUrl || '(no voice URL)'}`,
              ),
            ]),
      ];
      process.stdout.write(`${lines.join('\n')}\n`);
    }),
  );

numbers
  .command('rewire')
  .description("point every number of the carrier account at this server's PUBLIC_BASE_URL")
  .action(() =>
    withProvisioning(async (provisioning) => {
      const bar = new cliProgress.SingleBar(
        { format: 'rewiring [{bar}] {value} numbers', hideCursor: true },
        cliProgress.Presets.shades_classic,
      );
      bar.start(0, 0);
      const { rewired, failed } = await provisioning
        .rewire((done) => {
          bar.setTotal(done);
          bar.update(done);
        })
        .finally(() => bar.stop());
      process.stdout.write(
        `${[`${rewired.length} numbers now point at this server`, ...failed.map((line) => `failed: ${line}`)].join('\n')}\n`,
      );
      if (failed.length > 0) process.exitCode = 1;
    }),
  );

program
  .command('storage')
  .description('where recordings, voicemails, uploaded audio and group logos are kept')
  .command('migrate')
  .description(
    'copy the recordings and audio of DATA_DIR into the bucket of STORAGE_BUCKET (files already there are skipped; DATA_DIR keeps its copies)',
  )
  .action(async () => {
    const config = loadConfig();
    if (!config.STORAGE_BUCKET) {
      process.stderr.write('STORAGE_BUCKET is not set: there is no bucket to move the files to\n');
      process.exitCode = 1;
      return;
    }
    const target = storeFor(config);
    const bar = new cliProgress.SingleBar(
      { format: 'copying [{bar}] {value} files', hideCursor: true },
      cliProgress.Presets.shades_classic,
    );
    bar.start(0, 0);
    const { copied, skipped } = await copyStore(
      createFolderStore(config.DATA_DIR),
      target,
      (copied, skipped) => {
        bar.setTotal(copied + skipped);
        bar.update(copied + skipped);
      },
    ).finally(() => bar.stop());
    process.stdout.write(
      `${copied} files copied to ${target.description}, ${skipped} already there; set STORAGE_BUCKET on every server, then remove ${config.DATA_DIR}/recordings and ${config.DATA_DIR}/audio when you no longer need them\n`,
    );
  });

program
  .command('call')
  .description('simulate an inbound call through the real signed carrier webhooks and print its path')
  .requiredOption('--to <number>', 'tracking number dialled (10 digits)')
  .option('--from <number>', 'caller (10 digits)', '2125550100')
  .option('--press <keys>', 'keys for successive menus, comma-separated; an empty item = no input', '')
  .option('--at <iso>', 'when the call happens (in-process only)')
  .option('--answer <who>', "'first', 'none' or the 10-digit number that answers", 'first')
  .option('--url <base>', 'a running server (needs TWILIO_AUTH_TOKEN); default: run in this process')
  .option('--json', 'print JSON')
  .action(
    async (options: {
      to: string;
      from: string;
      press: string;
      at?: string;
      answer: string;
      url?: string;
      json?: boolean;
    }) => {
      await runCallCommand(loadConfig(), {
        ...options,
        press: options.press === '' ? [] : options.press.split(','),
        json: options.json ?? false,
      });
    },
  );

program.parseAsync().catch((error: unknown) => {
  process.stderr.write(
    `${error instanceof ConfigError || error instanceof UsageError ? error.message : String((error as Error)?.stack ?? error)}\n`,
  );
  process.exit(1);
});
