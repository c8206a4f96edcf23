import { LOOKUP_EVENTS_REQUESTS_PER_SECOND } from './lookup-events.js';
import { RateLimiter } from './rate-limiter.js';

/*
 * LookupEvents allows 2 requests a second per account and region, whoever calls. Investigations of
 * one account that run at once in this process (a burst of leaked keys, run by the local state
 * machine, or one after another in a warm Lambda) take their turns from one limiter per account
 * and region, rather than each spending the whole budget and throttling the others. Across Lambda
 * containers, the throttling that remains is waited out (see lookup-events.ts), not counted as a
 * failure.
 */

const limiters = new Map<string, RateLimiter>();

/**
 * The limiter of each region for `accountId`, shared by every caller in this process: pass it as
 * the `limiter` of the lookup-events source.
 */
export function accountBudget(accountId: string): (region: string) => RateLimiter {
  return (region) => {
    const key = `${accountId}/${region}`;
    let limiter = limiters.get(key);
    if (!limiter) {
      limiter = new RateLimiter(LOOKUP_EVENTS_REQUESTS_PER_SECOND);
      limiters.set(key, limiter);
    }
    return limiter;
  };
}
