import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import cookie from '@fastify/cookie';
import formbody from '@fastify/formbody';
import rateLimit from '@fastify/rate-limit';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import Fastify, { type FastifyBaseLogger } from 'fastify';
import { type Config, trustProxyOption } from './config.js';
import type { Db } from './db/index.js';
import { authenticate } from './http/authenticate.js';
import { basePathOf, withoutBasePath } from './http/base-path.js';
import { clientErrorHandler, createErrorHandler, notFoundHandler } from './http/error-handler.js';
import { decodeListFilters } from './http/filter.js';
import { lazySerializers } from './http/lazy-compile.js';
import { openApiOptions } from './http/openapi.js';
import {
  createRateLimitStore,
  pruneRateLimitCounters,
  THROTTLE_RETENTION_JOB,
} from './http/rate-limit-store.js';
import { SHARED_SCHEMAS } from './http/schemas.js';
import { boundJsonDepth, refuseNulCharacters } from './http/text-guard.js';
import { createValidatorCompiler } from './http/validation.js';
import { registerHourlyJob } from './jobs/hourly.js';
import { registerJobRetention } from './jobs/job-retention.js';
import { registerLogRetention } from './jobs/log-retention.js';
import { createJobQueue } from './jobs/queue.js';
import type { Clock } from './lib/clock.js';
import { storeFor } from './lib/object-store.js';
import { createMailer } from './mail/mailer.js';
import { authRoutes } from './modules/auth/auth.routes.js';
import { createAuthService } from './modules/auth/auth.service.js';
import { blacklistRoutes } from './modules/blacklist/blacklist.routes.js';
import { createBlacklistService } from './modules/blacklist/blacklist.service.js';
import { CALL_ACTIONS_WANTED_SQL, createCallActionRunner } from './modules/callactions/callaction-runner.js';
import { callActionRoutes } from './modules/callactions/callactions.routes.js';
import { createCallActionsService } from './modules/callactions/callactions.service.js';
import { createSmsSender } from './modules/callactions/sms.js';
import { callFlowCreateRoutes } from './modules/callflows/callflow-create.routes.js';
import { callFlowCustomSourceRoutes } from './modules/callflows/callflow-customsources.routes.js';
import { createCallFlowCustomSourcesService } from './modules/callflows/callflow-customsources.service.js';
import { callFlowDniRoutes } from './modules/callflows/callflow-dni.routes.js';
import { createCallFlowDniService } from './modules/callflows/callflow-dni.service.js';
import { callFlowListRoutes } from './modules/callflows/callflow-lists.routes.js';
import { createCallFlowListsService } from './modules/callflows/callflow-lists.service.js';
import { callFlowRoutes } from './modules/callflows/callflows.routes.js';
import { createCallFlowsService } from './modules/callflows/callflows.service.js';
import {
  type CallLifecycleHooks,
  COMPLETION_STEP_ORDER,
  createCallLifecycle,
} from './modules/calls/call-lifecycle.js';
import { createLiveCalls } from './modules/calls/call-live.js';
import { liveCallRoutes } from './modules/calls/call-live.routes.js';
import { callReportRoutes } from './modules/calls/call-reports.routes.js';
import { createCallReportsService, reportScope } from './modules/calls/call-reports.service.js';
import { callRoutes } from './modules/calls/calls.routes.js';
import { createCallsService } from './modules/calls/calls.service.js';
import { groupCallRoutes } from './modules/calls/group-calls.routes.js';
import { campaignRoutes } from './modules/campaigns/campaigns.routes.js';
import { createCampaignsService } from './modules/campaigns/campaigns.service.js';
import { consoleRoutes, createConsoleFallback } from './modules/console/console.routes.js';
import { customSourceRoutes } from './modules/customsources/customsources.routes.js';
import { createCustomSourcesService } from './modules/customsources/customsources.service.js';
import { dniRoutes } from './modules/dni/dni.routes.js';
import { createDniService } from './modules/dni/dni.service.js';
import { dniPublicRoutes } from './modules/dni/dni-public.routes.js';
import { registerDniRetention } from './modules/dni/dni-retention.js';
import { registerPoolSampler } from './modules/dni/pool-sampler.js';
import { CALL_NOTIFY_WANTED_SQL, createCallSummaryNotifier } from './modules/email/call-notify.js';
import { emailRoutes } from './modules/email/email.routes.js';
import { createEmailService } from './modules/email/email.service.js';
import { groupLogoRoutes } from './modules/groups/group-logo.routes.js';
import { createGroupLogoService } from './modules/groups/group-logo.service.js';
import { groupRoutes } from './modules/groups/groups.routes.js';
import { createGroupsService } from './modules/groups/groups.service.js';
import { healthRoutes } from './modules/health/health.routes.js';
import { registerAnalysis } from './modules/indicators/analysis.js';
import { indicatorRoutes } from './modules/indicators/indicators.routes.js';
import { createIndicatorsService } from './modules/indicators/indicators.service.js';
import { DEFAULT_ANALYSIS_MODEL } from './modules/indicators/model-scoring.js';
import { insightRoutes } from './modules/insights/insights.routes.js';
import { createInsightsService } from './modules/insights/insights.service.js';
import { meRoutes } from './modules/me/me.routes.js';
import { createMeService } from './modules/me/me.service.js';
import { miscRoutes } from './modules/misc/misc.routes.js';
import { createMiscService } from './modules/misc/misc.service.js';
import { numberRoutes } from './modules/numbers/numbers.routes.js';
import { createNumbersService } from './modules/numbers/numbers.service.js';
import { reportRoutes } from './modules/reports/report.routes.js';
import { createReportService } from './modules/reports/report.service.js';
import { savedReportRoutes } from './modules/reports/saved-reports.routes.js';
import { createSavedReportsService } from './modules/reports/saved-reports.service.js';
import { registerScheduledReports } from './modules/reports/scheduled-reports.job.js';
import { scorecardRoutes } from './modules/scorecards/scorecards.routes.js';
import { createScorecardsService } from './modules/scorecards/scorecards.service.js';
import { sessionRoutes, sessionSignInRoutes } from './modules/session/session.routes.js';
import { createSessionService } from './modules/session/session.service.js';
import { sessionCookieFor } from './modules/session/session-cookie.js';
import { simulateRoutes } from './modules/simulate/simulate.routes.js';
import { createSimulateService } from './modules/simulate/simulate.service.js';
import { smsRoutes } from './modules/sms/sms.routes.js';
import { createSmsService } from './modules/sms/sms.service.js';
import { registerSmsSend } from './modules/sms/sms-send.js';
import { createSmsSettingsService } from './modules/sms/sms-settings.service.js';
import { smsTextsInFlight, smsTextUsage } from './modules/sms/sms-usage.js';
import { createBroadcastSender } from './modules/smsbroadcast/broadcast-send.js';
import { createBroadcastsService, registerBroadcastJob } from './modules/smsbroadcast/broadcasts.js';
import { broadcastRoutes } from './modules/smsbroadcast/broadcasts.routes.js';
import { contactRoutes } from './modules/smsbroadcast/contacts.routes.js';
import { createContactsService } from './modules/smsbroadcast/contacts.service.js';
import { subscriptionRoutes } from './modules/subscriptions/subscriptions.routes.js';
import { createSubscriptionsService } from './modules/subscriptions/subscriptions.service.js';
import { registerUsageAlerts } from './modules/subscriptions/usage-alerts.job.js';
import { tagRoutes } from './modules/tags/tags.routes.js';
import { createTagsService } from './modules/tags/tags.service.js';
import { transcriptionProviderOf } from './modules/transcripts/providers.js';
import { registerTranscription } from './modules/transcripts/transcription.js';
import { userRoutes } from './modules/users/users.routes.js';
import { createUsersService } from './modules/users/users.service.js';
import { registerWebhookDelivery } from './modules/webhooks/webhook-delivery.js';
import { registerKeyedWebhookEvents } from './modules/webhooks/webhook-keyed-events.js';
import { webhookRoutes } from './modules/webhooks/webhooks.routes.js';
import { createWebhooksService } from './modules/webhooks/webhooks.service.js';
import { audioRoutes, audioUrl } from './telephony/audio.routes.js';
import {
  callbackUrlsFor,
  SIGNALWIRE_WEBHOOK_PREFIX,
  TELNYX_WEBHOOK_PREFIX,
  TWILIO_WEBHOOK_PREFIX,
} from './telephony/callback-urls.js';
import { signalWireCheck, telnyxCheck, telnyxToTwilio } from './telephony/carrier-checks.js';
import { carrierEdgeRoutes } from './telephony/carrier-edge.routes.js';
import { type CarrierName, SIGNALWIRE_IDS, TELNYX_IDS } from './telephony/carrier-params.js';
import { carrierProvisioning } from './telephony/carrier-provisioning.js';
import { telnyxPublicKey } from './telephony/carrier-signatures.js';
import { carrierTexts } from './telephony/carrier-texts.js';
import { createFlowCache } from './telephony/flow-cache.js';
import { createRecordingCopier, RECORDINGS_TO_COPY_SQL } from './telephony/recording-copy.js';
import { createTelephonyService } from './telephony/telephony.service.js';
import { twilioRoutes } from './telephony/twilio.routes.js';
import { createMessagesApi } from './telephony/twilio-messages.js';

export interface AppDeps {
  config: Config;
  db: Db;
  clock: Clock;
  /** the key carrier webhooks are signed with (X-Twilio-Signature) */
  twilioAuthToken: string;
  /** a pino logger; none in tests */
  logger?: FastifyBaseLogger;
}

/** Secrets that must never reach a log line, wherever they appear in a logged object. */
export const REDACTED_PATHS = [
  'req.headers.authorization',
  'req.headers.cookie',
  'req.headers["x-twilio-signature"]',
  'req.headers["x-signalwire-signature"]',
  'req.headers["telnyx-signature-ed25519"]',
  '*.password',
  '*.client_secret',
  '*.access_token',
  '*.refresh_token',
];

/** Builds the HTTP application. It never listens and never reads the environment. */
export async function buildApp({ config, db, clock, logger, twilioAuthToken }: AppDeps) {
  const basePath = basePathOf(config.PUBLIC_BASE_URL);
  const handleError = createErrorHandler({ businessErrorStatus: config.V2_BUSINESS_ERROR_STATUS });
  const app = Fastify({
    ...(logger ? { loggerInstance: logger } : { logger: false }),
    ...(basePath
      ? { rewriteUrl: (request: IncomingMessage) => withoutBasePath(request.url ?? '/', basePath) }
      : {}),
    genReqId: () => randomUUID(),
    requestIdHeader: 'x-request-id',
    bodyLimit: 10 * 1024 * 1024,
    trustProxy: trustProxyOption(config.TRUST_PROXY),
    // A malformed or over-long URL is answered by the error handler too, in the path's shape.
    frameworkErrors: handleError,
    clientErrorHandler,
    // While closing: answer what arrives on an open connection (a carrier counts a 503 on /voice
    // as a failed call) and close only idle keep-alive connections (main.ts, graceful stop).
    return503OnClosing: false,
    forceCloseConnections: 'idle',
    // each route's response serializers are built on first use (lazy-compile.ts)
    schemaController: { compilersFactory: { buildSerializer: lazySerializers } },
  }).withTypeProvider<TypeBoxTypeProvider>();

  app.setValidatorCompiler(createValidatorCompiler());
  app.setErrorHandler(handleError);
  const consoleFallback = createConsoleFallback();
  app.setNotFoundHandler(
    (request, reply) => consoleFallback?.(request, reply) ?? notFoundHandler(request, reply),
  );
  boundJsonDepth(app);
  refuseNulCharacters(app);
  app.addHook('onSend', async (request, reply) => {
    reply.header('x-request-id', request.id);
  });
  for (const schema of SHARED_SCHEMAS) app.addSchema(schema);

  await app.register(formbody);
  await app.register(cookie);
  // Counted in the database: every process on it shares the limits (rate-limit-store.ts).
  await app.register(rateLimit, { global: false, store: createRateLimitStore(db, clock) });
  await app.register(swagger, openApiOptions(config.PUBLIC_BASE_URL));
  await app.register(swaggerUi, { routePrefix: '/docs' });
  app.get('/openapi.json', { schema: { hide: true } }, async () => app.swagger());

  const auth = createAuthService({
    db,
    clock,
    accessTokenTtlSeconds: config.ACCESS_TOKEN_TTL_SECONDS,
    refreshTokenTtlSeconds: config.REFRESH_TOKEN_TTL_SECONDS,
  });
  const groups = createGroupsService({ db, clock });
  // plans and usage (subscriptions): the limits the number and user services enforce
  const subscriptions = createSubscriptionsService({
    db,
    clock,
    textUsage: smsTextUsage,
    textsInFlight: smsTextsInFlight,
  });
  const users = createUsersService({
    db,
    clock,
    groups,
    onUserChanged: auth.forgetUser,
    limits: subscriptions,
  });
  // The console's sign-in: a first-party session cookie, accepted on /v2 beside bearer tokens.
  const sessions = createSessionService({
    db,
    clock,
    auth,
    idleMinutes: config.SESSION_IDLE_MINUTES,
    maxHours: config.SESSION_MAX_HOURS,
  });
  const sessionCookie = sessionCookieFor(config.PUBLIC_BASE_URL);
  const stopRevocationWatch = await auth.start();
  app.addHook('onClose', async () => stopRevocationWatch());
  const numbers = createNumbersService({
    db,
    clock,
    provisioning: carrierProvisioning(config, db, twilioAuthToken),
    limits: subscriptions,
  });
  const store = storeFor(config);
  const misc = createMiscService({
    db,
    clock,
    store,
    publicBaseUrl: config.PUBLIC_BASE_URL,
  });
  const campaigns = createCampaignsService({ db, clock });
  const callFlows = createCallFlowsService({ db, clock });
  const callFlowLists = createCallFlowListsService({ db, clock });
  const customSources = createCustomSourcesService({ db, clock });
  const callFlowCustomSources = createCallFlowCustomSourcesService({ db, clock });
  const callFlowDni = createCallFlowDniService({ db, clock });
  const mailer = createMailer({ smtpUrl: config.SMTP_URL, from: config.EMAIL_FROM, logger: app.log });
  app.addHook('onClose', async () => mailer.close());
  const callActions = createCallActionsService({
    db,
    clock,
    allowPrivateTargets: config.WEBHOOK_ALLOW_PRIVATE_TARGETS,
  });
  // Twilio's Messages API: texts (modules/sms) and the SMS alerts of call actions
  const messagesApi = createMessagesApi({
    baseUrl: config.TWILIO_API_BASE_URL,
    accountSid: config.TWILIO_ACCOUNT_SID,
    authToken: twilioAuthToken,
    timeoutMs: config.OUTBOUND_HTTP_TIMEOUT_MS,
  });
  const callActionRunner = createCallActionRunner({
    db,
    clock,
    mailer,
    sms: createSmsSender({ messages: messagesApi, from: config.SMS_FROM_NUMBER }),
    allowPrivateTargets: config.WEBHOOK_ALLOW_PRIVATE_TARGETS,
    httpTimeoutMs: config.OUTBOUND_HTTP_TIMEOUT_MS,
    logger: app.log,
  });
  const callSummaries = createCallSummaryNotifier({ db, clock, mailer, logger: app.log });

  await app.register(healthRoutes, { db });
  await app.register(authRoutes, { auth, rateLimitPerMinute: config.OAUTH_RATE_LIMIT_PER_MINUTE });
  const sessionOptions = { sessions, sessionCookie, rateLimitPerMinute: config.OAUTH_RATE_LIMIT_PER_MINUTE };
  await app.register(sessionSignInRoutes, { prefix: '/v2', ...sessionOptions });

  const flows = createFlowCache(db);
  const stopFlowUpdates = await flows.start();
  app.addHook('onClose', async () => {
    await stopFlowUpdates();
  });
  // Modules that follow calls (job queue, DNI attribution ...) add their hooks here; each runs in
  // the transaction that records the call's start or end.
  const callHooks: CallLifecycleHooks = { started: [], completed: [], updated: [] };
  // DNI: a call to a pool number is attributed to the website visit holding that number.
  const dni = createDniService({
    db,
    clock,
    publicBaseUrl: config.PUBLIC_BASE_URL,
    cooldownMinutes: config.DNI_COOLDOWN_MINUTES,
    graceMinutes: config.DNI_ATTRIBUTION_GRACE_MINUTES,
    sampleMinutes: config.POOL_SAMPLE_MINUTES,
  });
  const stopDniUpdates = await dni.start();
  app.addHook('onClose', async () => stopDniUpdates());
  callHooks.started.push({ wants: (call) => call.isPoolNumber, run: dni.attributeCall });
  // The durable job queue (src/jobs/queue.ts): runs in the background once the app is ready,
  // finishes its running jobs on close. JOBS_POLL_INTERVAL_MS=0 leaves it to jobs.drain() (tests).
  const jobs = createJobQueue({
    db,
    clock,
    logger: app.log,
    pollIntervalMs: config.JOBS_POLL_INTERVAL_MS,
    leaseMs: config.JOBS_LEASE_MS,
    concurrency: config.JOBS_CONCURRENCY,
  });
  app.addHook('onReady', async () => jobs.start());
  app.addHook('onClose', async () => jobs.stop());
  // DNI history older than DNI_RETENTION_DAYS is deleted hourly, by one process per hour.
  const dniRetention = registerDniRetention({
    db,
    clock,
    jobs,
    retentionDays: config.DNI_RETENTION_DAYS,
    logger: app.log,
  });
  app.addHook('onReady', async () => dniRetention.scheduleNext());
  // Each pool's usage every POOL_SAMPLE_MINUTES, by one process per slot; older than POOL_HISTORY_DAYS goes.
  const poolSampler = registerPoolSampler({
    db,
    clock,
    jobs,
    sampleMinutes: config.POOL_SAMPLE_MINUTES,
    keepDays: config.POOL_HISTORY_DAYS,
    logger: app.log,
  });
  app.addHook('onReady', async () => poolSampler.scheduleNext());
  // Jobs finished more than JOB_RETENTION_DAYS ago are deleted hourly, by one process per hour.
  const jobRetention = registerJobRetention({
    db,
    clock,
    jobs,
    retentionDays: config.JOB_RETENTION_DAYS,
    logger: app.log,
  });
  app.addHook('onReady', async () => jobRetention.scheduleNext());
  // Delivery logs finished more than DELIVERY_LOG_RETENTION_DAYS ago, likewise.
  const logRetention = registerLogRetention({
    db,
    clock,
    jobs,
    retentionDays: config.DELIVERY_LOG_RETENTION_DAYS,
    logger: app.log,
  });
  app.addHook('onReady', async () => logRetention.scheduleNext());
  // Rate-limit counters whose window is over and forgotten login failures, hourly, by one process.
  const throttleRetention = registerHourlyJob({
    db,
    clock,
    jobs,
    kind: THROTTLE_RETENTION_JOB,
    run: async (ctx) => {
      await pruneRateLimitCounters(ctx.db, ctx.clock.now());
      await auth.pruneLoginFailures();
      return true;
    },
  });
  app.addHook('onReady', async () => throttleRetention.scheduleNext());
  const groupLogos = createGroupLogoService({ db, clock, store });
  const reports = createReportService({ db, logos: groupLogos });
  registerScheduledReports({ jobs, mailer, reports, logger: app.log });
  // plans' meters at 80 % and 100 % e-mailed once per month and threshold, checked hourly
  const usageAlerts = registerUsageAlerts({ db, clock, jobs, mailer, subscriptions, logger: app.log });
  app.addHook('onReady', async () => usageAlerts.scheduleNext());
  const callLifecycle = createCallLifecycle({ jobs, db });
  const stopWebhookWatch = await callLifecycle.start();
  app.addHook('onClose', async () => stopWebhookWatch());
  callHooks.started.push(callLifecycle.startedHook);
  callHooks.completed.push(callLifecycle.onCompleted);
  callHooks.updated.push(callLifecycle.onUpdated);
  // Each step with its `when`: the three conditions are read in one statement per completed call.
  callLifecycle.registerCompletionStep(
    'callActions',
    COMPLETION_STEP_ORDER.callActions,
    async (callId) => {
      await callActionRunner.runCallActions(callId);
    },
    { when: CALL_ACTIONS_WANTED_SQL },
  );
  callLifecycle.registerCompletionStep(
    'emailNotify',
    COMPLETION_STEP_ORDER.emailNotify,
    async (callId) => {
      await callSummaries.sendCallSummary(callId);
    },
    { when: CALL_NOTIFY_WANTED_SQL },
  );
  callLifecycle.registerCompletionStep(
    'recordingCopy',
    COMPLETION_STEP_ORDER.recordingCopy,
    createRecordingCopier({
      store,
      publicBaseUrl: config.PUBLIC_BASE_URL,
      accountSid: config.TWILIO_ACCOUNT_SID,
      authToken: twilioAuthToken,
      timeoutMs: config.OUTBOUND_HTTP_TIMEOUT_MS,
    }),
    // a late recording or voicemail (call.updated) is copied too
    { when: RECORDINGS_TO_COPY_SQL, onUpdate: true },
  );
  // Transcription of the copied (or uploaded) recording, then the call's analysis (docs/analytics.md).
  registerTranscription({
    db,
    clock,
    jobs,
    callLifecycle,
    provider: transcriptionProviderOf(config),
    store,
    maxAttempts: config.TRANSCRIPTION_MAX_ATTEMPTS,
    logger: app.log,
    stepOrder: COMPLETION_STEP_ORDER.transcription,
    limits: subscriptions,
  });
  registerAnalysis({
    jobs,
    callActionRunner,
    logger: app.log,
    model: config.ANALYSIS_URL
      ? {
          url: config.ANALYSIS_URL,
          apiKey: config.ANALYSIS_API_KEY,
          model: config.ANALYSIS_MODEL ?? DEFAULT_ANALYSIS_MODEL,
          timeoutMs: config.ANALYSIS_TIMEOUT_MS,
        }
      : undefined,
  });
  registerWebhookDelivery({
    db,
    clock,
    jobs,
    callLifecycle,
    timeoutMs: config.WEBHOOK_TIMEOUT_MS,
    retryHours: config.WEBHOOK_RETRY_HOURS,
    allowPrivateTargets: config.WEBHOOK_ALLOW_PRIVATE_TARGETS,
  });
  registerKeyedWebhookEvents({ db, clock, jobs, retryHours: config.WEBHOOK_RETRY_HOURS });
  const webhooks = createWebhooksService({
    db,
    clock,
    allowPrivateTargets: config.WEBHOOK_ALLOW_PRIVATE_TARGETS,
    retryHours: config.WEBHOOK_RETRY_HOURS,
  });
  // One engine for every carrier; each edge's TwiML names its own callback URLs.
  const telephonyFor = (carrier: CarrierName, prefix: string) =>
    createTelephonyService({
      db,
      clock,
      flows,
      carrier,
      hooks: callHooks,
      settleWindowSeconds: config.CALL_SETTLE_WINDOW_SECONDS,
      urlsFor: callbackUrlsFor(
        config.PUBLIC_BASE_URL,
        (reference) => audioUrl(config.PUBLIC_BASE_URL, twilioAuthToken, reference),
        prefix,
      ),
    });
  const telephony = telephonyFor('twilio', TWILIO_WEBHOOK_PREFIX);
  await app.register(audioRoutes, {
    prefix: '/telephony/audio',
    db,
    store,
    authToken: twilioAuthToken,
  });
  // Texts: recorded by the messaging webhook, sent by the job queue through the Messages API.
  // A text goes out through its number's carrier (README carrier table).
  const texts = carrierTexts(config, messagesApi);
  const sms = createSmsService({
    db,
    clock,
    flows,
    attributeText: dni.attributeText,
    textsFor: (carrier) => texts[carrier],
    defaultCarrier: config.CARRIER,
    limits: subscriptions,
  });
  registerSmsSend({
    db,
    clock,
    jobs,
    textsFor: (carrier) => texts[carrier],
    defaultCarrier: config.CARRIER,
    logger: app.log,
  });
  registerBroadcastJob({
    db,
    clock,
    jobs,
    sender: createBroadcastSender({
      db,
      clock,
      jobs,
      textsFor: (carrier) => texts[carrier],
      defaultCarrier: config.CARRIER,
      requestTimeoutMs: config.OUTBOUND_HTTP_TIMEOUT_MS,
      logger: app.log,
    }),
    logger: app.log,
    limits: subscriptions,
  });
  await app.register(twilioRoutes, {
    prefix: TWILIO_WEBHOOK_PREFIX,
    telephony,
    sms,
    authToken: twilioAuthToken,
    publicBaseUrl: config.PUBLIC_BASE_URL,
  });
  // SignalWire (LaML) and Telnyx (TeXML): the same routes behind their own signatures (README carrier table)
  await app.register(carrierEdgeRoutes, {
    prefix: SIGNALWIRE_WEBHOOK_PREFIX,
    carrier: 'signalwire',
    tag: 'Telephony (SignalWire LaML)',
    telephony: telephonyFor('signalwire', SIGNALWIRE_WEBHOOK_PREFIX),
    sms,
    messaging: 'laml',
    publicBaseUrl: config.PUBLIC_BASE_URL,
    ids: SIGNALWIRE_IDS,
    check: signalWireCheck(
      [config.SIGNALWIRE_SIGNING_KEY, config.SIGNALWIRE_API_TOKEN].filter((key) => key !== undefined),
    ),
    signatureHeader: 'X-SignalWire-Signature',
  });
  await app.register(carrierEdgeRoutes, {
    prefix: TELNYX_WEBHOOK_PREFIX,
    carrier: 'telnyx',
    tag: 'Telephony (Telnyx TeXML)',
    telephony: telephonyFor('telnyx', TELNYX_WEBHOOK_PREFIX),
    sms,
    messaging: 'telnyx',
    publicBaseUrl: config.PUBLIC_BASE_URL,
    ids: TELNYX_IDS,
    check: telnyxCheck(
      config.TELNYX_PUBLIC_KEY ? telnyxPublicKey(config.TELNYX_PUBLIC_KEY) : undefined,
      clock,
      config.TELNYX_SIGNATURE_TOLERANCE_SECONDS,
    ),
    signatureHeader: 'telnyx-signature-ed25519',
    normalize: telnyxToTwilio,
    acceptsJson: true,
  });
  await app.register(dniPublicRoutes, { dni, rateLimitPerMinute: config.DNI_RATE_LIMIT_PER_MINUTE });
  const calls = createCallsService({
    db,
    clock,
    store,
    publicBaseUrl: config.PUBLIC_BASE_URL,
    onCompleted: callLifecycle.onCompleted,
    limits: subscriptions,
  });
  // The console's live panel: calls in progress, pushed as the database announces changes.
  const liveCalls = createLiveCalls({ db, clock, logger: app.log });
  const stopLiveCalls = await liveCalls.start();
  app.addHook('onClose', async () => stopLiveCalls());
  await app.register(
    async (v2) => {
      await v2.register(authenticate, {
        auth,
        sessions,
        sessionCookie,
        publicOrigin: new URL(config.PUBLIC_BASE_URL).origin,
      });
      decodeListFilters(v2);
      await v2.register(sessionRoutes, sessionOptions);
      await v2.register(meRoutes, { me: createMeService({ db, clock }) });
      await v2.register(groupRoutes, { groups });
      await v2.register(groupLogoRoutes, { logos: groupLogos });
      await v2.register(userRoutes, { users });
      await v2.register(numberRoutes, { numbers });
      await v2.register(miscRoutes, { misc });
      await v2.register(subscriptionRoutes, { subscriptions });
      await v2.register(campaignRoutes, { campaigns });
      await v2.register(blacklistRoutes, { blacklist: createBlacklistService({ db, clock }) });
      await v2.register(callFlowRoutes, { callFlows });
      await v2.register(simulateRoutes, { simulate: createSimulateService({ db, clock, flows }) });
      await v2.register(callFlowCreateRoutes, { callFlows });
      await v2.register(callFlowListRoutes, { callFlowLists });
      await v2.register(customSourceRoutes, { customSources });
      await v2.register(callFlowCustomSourceRoutes, { callFlowCustomSources });
      await v2.register(callFlowDniRoutes, { callFlowDni });
      await v2.register(dniRoutes, { dni });
      await v2.register(callRoutes, { calls });
      await v2.register(groupCallRoutes, { calls });
      await v2.register(callReportRoutes, { reports: createCallReportsService({ db }) });
      await v2.register(reportRoutes, { reports });
      await v2.register(savedReportRoutes, { saved: createSavedReportsService({ db, clock }) });
      await v2.register(liveCallRoutes, {
        live: liveCalls,
        scopeOf: (principal, groupId) => reportScope(db, principal, groupId),
        isStillAllowed: async (request) => {
          if (request.sessionToken !== undefined) return sessions.isLive(request.sessionToken);
          const token = /^bearer\s+(.+)$/i.exec(request.headers.authorization ?? '')?.[1]?.trim();
          return token !== undefined && (await auth.authenticate(token)) !== undefined;
        },
      });
      await v2.register(tagRoutes, { tagsService: createTagsService({ db, clock }) });
      await v2.register(emailRoutes, { email: createEmailService({ db, mailer }) });
      await v2.register(callActionRoutes, { callActions });
      await v2.register(webhookRoutes, { webhooks });
      await v2.register(broadcastRoutes, { broadcasts: createBroadcastsService({ db, clock }) });
      await v2.register(contactRoutes, { contacts: createContactsService({ db, clock }) });
      await v2.register(smsRoutes, { sms, settings: createSmsSettingsService({ db, clock }) });
      await v2.register(indicatorRoutes, { indicators: createIndicatorsService({ db, clock }) });
      await v2.register(insightRoutes, { insights: createInsightsService({ db, clock }) });
      await v2.register(scorecardRoutes, { scorecards: createScorecardsService({ db, clock }) });
    },
    { prefix: '/v2' },
  );
  // The console (web/dist) at `/`; its other paths are the not-found handler's (consoleFallback).
  await app.register(consoleRoutes, {});

  return Object.assign(app, {
    services: {
      auth,
      sessions,
      groups,
      users,
      campaigns,
      numbers,
      misc,
      callFlows,
      callActionRunner,
      callSummaries,
      calls,
      jobs,
      callLifecycle,
      sms,
      usageAlerts,
    },
  });
}

export type App = Awaited<ReturnType<typeof buildApp>>;
