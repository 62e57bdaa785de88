/**
 * Profile thresholds. Inactivity limits come from the checklist (banking 5-10 min, sensitive
 * SaaS 30 min, consumer up to 7 days); the others are clerkguard's defaults, documented in
 * docs/checklist.md, and chosen to be as strict as the checklist's spirit without locking out
 * the profile's typical users.
 */
import type { Profile } from '../baseline/schema';

export interface ProfileThresholds {
  inactivity_timeout_minutes: number;
  maximum_lifetime_minutes: number;
  mfa_required: boolean;
  lockout_max_attempts: number;
  password_min_length: number;
}

export const PROFILE_THRESHOLDS: Record<Profile, ProfileThresholds> = {
  banking: { inactivity_timeout_minutes: 10, maximum_lifetime_minutes: 12 * 60, mfa_required: true, lockout_max_attempts: 5, password_min_length: 12 },
  saas: { inactivity_timeout_minutes: 30, maximum_lifetime_minutes: 7 * 24 * 60, mfa_required: true, lockout_max_attempts: 10, password_min_length: 8 },
  consumer: { inactivity_timeout_minutes: 7 * 24 * 60, maximum_lifetime_minutes: 90 * 24 * 60, mfa_required: false, lockout_max_attempts: 10, password_min_length: 8 },
};

/** JWT templates used for client-side downstream calls: the checklist's 60 seconds. */
export const JWT_MAX_LIFETIME_SECONDS = 60;

/** Days an attestation stays valid when it names no expiry. */
export const ATTESTATION_DEFAULT_DAYS = 365;

/** Cross-org isolation tests go stale faster than other attestations: org code changes often. */
export const CROSS_ORG_TEST_MAX_AGE_DAYS = 180;

export const REVIEW_MAX_AGE_DAYS = { monthly: 35, quarterly: 100 } as const;

export const DEFAULT_ROTATION_MAX_AGE_DAYS = 365;

/** Env var prefixes that bundlers inline into browser code. */
export const PUBLIC_ENV_PREFIXES = ['NEXT_PUBLIC_', 'VITE_', 'REACT_APP_', 'PUBLIC_', 'EXPO_PUBLIC_', 'NUXT_PUBLIC_', 'GATSBY_', 'VUE_APP_'];

/** Claim names and Clerk shortcodes that put PII into a token readable in the browser. */
export const PII_CLAIM_NAMES = ['email', 'email_address', 'emails', 'phone', 'phone_number', 'phone_numbers'];
export const PII_SHORTCODES = ['user.primary_email_address', 'user.email_addresses', 'user.primary_phone_number', 'user.phone_numbers', 'user.unsafe_metadata'];
