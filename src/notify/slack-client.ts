/**
 * Slack delivery through the official @slack/web-api WebClient. A CLI must not hang: the
 * library's default retry policy can block for about 30 minutes, so calls get a small bounded
 * retry policy and a per-request timeout. The token is only ever handed to WebClient; every
 * error message that leaves here is scrubbed of it.
 */
import type { Logger, LogLevel } from '@slack/web-api';
import { scrubSecrets } from '../settings/redact';
import { ClerkguardError, describeError } from '../util/errors';
import type { SlackBlock } from '../report/slack';

export interface SlackConfig {
  token: string;
  channel: string;
  /** Base URL of the Web API, ending in `/api/` (SLACK_API_URL; tests point it at a local server). */
  apiUrl?: string;
  timeoutMs?: number;
  retries?: number;
}

export interface PostedMessage {
  ts: string;
  channel: string;
}

export interface SlackPostArgs {
  text: string;
  blocks: SlackBlock[];
  thread_ts?: string;
  /** Also show a thread reply in the channel. */
  reply_broadcast?: boolean;
}

export interface SlackUploadArgs {
  content: string;
  filename: string;
  title: string;
  thread_ts?: string;
  initial_comment?: string;
}

/** What the alert lifecycle needs from Slack; the real one wraps WebClient. */
export interface SlackPoster {
  postMessage(args: SlackPostArgs): Promise<PostedMessage>;
  uploadFile(args: SlackUploadArgs): Promise<void>;
}

export const DEFAULT_SLACK_TIMEOUT_MS = 10_000;

/** Reads SLACK_BOT_TOKEN, SLACK_CHANNEL_ID and SLACK_API_URL; missing ones are a clear error. */
export function slackConfigFromEnv(env: NodeJS.ProcessEnv): SlackConfig {
  const missing = ['SLACK_BOT_TOKEN', 'SLACK_CHANNEL_ID'].filter((name) => !env[name]);
  if (missing.length > 0) {
    throw new ClerkguardError(`--slack needs ${missing.join(' and ')}`, {
      hint: 'export SLACK_BOT_TOKEN (a bot token with chat:write and files:write) and SLACK_CHANNEL_ID (e.g. C0123456789), or drop --slack',
    });
  }
  const timeout = Number(env.CLERKGUARD_SLACK_TIMEOUT_MS);
  return {
    token: env.SLACK_BOT_TOKEN as string,
    channel: env.SLACK_CHANNEL_ID as string,
    ...(env.SLACK_API_URL ? { apiUrl: withTrailingSlash(env.SLACK_API_URL) } : {}),
    ...(Number.isFinite(timeout) && timeout > 0 ? { timeoutMs: timeout } : {}),
  };
}

function withTrailingSlash(url: string): string {
  return url.endsWith('/') ? url : `${url}/`;
}

/** WebClient logs nothing of its own: failures surface as one scrubbed ClerkguardError. */
const silentLogger: Logger = {
  debug: () => undefined,
  info: () => undefined,
  warn: () => undefined,
  error: () => undefined,
  setLevel: () => undefined,
  getLevel: () => 'error' as LogLevel.ERROR,
  setName: () => undefined,
};

/**
 * The answer boundary for chat.postMessage: the message's `ts` is what every later reply and
 * the alert state hang on, so an answer without a well-formed one (a proxy, a changed API) is
 * a failed delivery, never a recorded alert.
 */
export function postedMessage(response: unknown, defaultChannel: string): PostedMessage {
  const value = response as { ok?: unknown; ts?: unknown; channel?: unknown } | null;
  if (value === null || typeof value !== 'object') throw new Error('chat.postMessage answered something other than a JSON object');
  if (value.ok !== true) throw new Error('chat.postMessage answered without "ok": true');
  if (typeof value.ts !== 'string' || !/^\d+\.\d+$/.test(value.ts)) throw new Error(`chat.postMessage answered ${value.ts === undefined ? 'without ts' : 'a ts that is not a Slack timestamp'}`);
  if (value.channel !== undefined && typeof value.channel !== 'string') throw new Error('chat.postMessage answered a channel that is not a string');
  return { ts: value.ts, channel: (value.channel as string | undefined) ?? defaultChannel };
}

export function createSlackPoster(config: SlackConfig): SlackPoster {
  // Required here, not at the top: only runs with --slack load the Slack SDK.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { WebClient } = require('@slack/web-api') as typeof import('@slack/web-api');
  const client = new WebClient(config.token, {
    ...(config.apiUrl ? { slackApiUrl: config.apiUrl } : {}),
    retryConfig: { retries: config.retries ?? 2, factor: 1.5, minTimeout: 250, maxTimeout: 2_000, randomize: false },
    timeout: config.timeoutMs ?? DEFAULT_SLACK_TIMEOUT_MS,
    rejectRateLimitedCalls: true,
    logger: silentLogger,
  });
  const fail = (what: string, error: unknown): never => {
    throw new ClerkguardError(`Slack ${what} failed: ${scrubSecrets(describeError(error), [config.token])}`, {
      hint: 'check SLACK_BOT_TOKEN, SLACK_CHANNEL_ID (the bot must be in the channel) and SLACK_API_URL; the report is on disk and the alert state was not advanced, so the next run retries',
    });
  };
  return {
    async postMessage(args) {
      try {
        const response: unknown = await client.chat.postMessage({ channel: config.channel, text: args.text, blocks: args.blocks as never, unfurl_links: false, unfurl_media: false, ...(args.thread_ts ? { thread_ts: args.thread_ts, reply_broadcast: args.reply_broadcast ?? false } : {}) } as never);
        return postedMessage(response, config.channel);
      } catch (error) {
        return fail('chat.postMessage', error);
      }
    },
    async uploadFile(args) {
      try {
        await client.filesUploadV2({
          channel_id: config.channel,
          content: args.content,
          filename: args.filename,
          title: args.title,
          ...(args.thread_ts ? { thread_ts: args.thread_ts } : {}),
          ...(args.initial_comment ? { initial_comment: args.initial_comment } : {}),
        } as never);
      } catch (error) {
        fail('file upload (filesUploadV2)', error);
      }
    },
  };
}
