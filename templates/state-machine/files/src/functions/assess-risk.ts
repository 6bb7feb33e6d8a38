import { grossCents, type Order, type RiskAssessment } from '../lib/order.js';
import { taskHandler } from '../lib/task.js';

/** The rules, in cents and units. An order scoring HIGH_RISK_SCORE or more is referred to a person instead of quoted. */
export const RISK_RULES = {
  largeOrderCents: 200_000,
  largeOrderScore: 50,
  bulkQuantity: 50,
  bulkScore: 30,
  expressRetailCents: 50_000,
  expressRetailScore: 20,
  businessScore: -20,
} as const;
export const HIGH_RISK_SCORE = 60;
export const MEDIUM_RISK_SCORE = 30;

/**
 * Task "AssessRisk", the Parallel state's second branch (it runs while the Map prices the lines).
 * Scores the order with a few transparent rules; the Choice state refers "high" orders to a person.
 * A pure function of its input, so a retry or a re-run gives the same assessment.
 */
export const handler = taskHandler<Order, RiskAssessment>('assess-risk', async (order) => {
  const gross = grossCents(order.items);
  const reasons: string[] = [];
  let score = 0;
  if (gross > RISK_RULES.largeOrderCents) {
    score += RISK_RULES.largeOrderScore;
    reasons.push(`order value over ${RISK_RULES.largeOrderCents / 100} EUR`);
  }
  if (order.items.some((item) => item.quantity > RISK_RULES.bulkQuantity)) {
    score += RISK_RULES.bulkScore;
    reasons.push(`more than ${RISK_RULES.bulkQuantity} units of one item`);
  }
  if (order.delivery === 'express' && order.customer.tier === 'retail' && gross > RISK_RULES.expressRetailCents) {
    score += RISK_RULES.expressRetailScore;
    reasons.push(`express delivery of a retail order over ${RISK_RULES.expressRetailCents / 100} EUR`);
  }
  if (order.customer.tier === 'business') {
    score += RISK_RULES.businessScore;
    reasons.push('business customer');
  }
  score = Math.max(score, 0);
  const level = score >= HIGH_RISK_SCORE ? 'high' : score >= MEDIUM_RISK_SCORE ? 'medium' : 'low';
  return { level, score, reasons };
});
