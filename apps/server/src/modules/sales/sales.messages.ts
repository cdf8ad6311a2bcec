import { moduleMessages } from '../../core/i18n/module-messages.ts';

/** The sales module's own problem texts (zh-CN first, en-US). */
const zh: Record<string, string> = {
  sop_incomplete: '离开「{stage}」前需完成以下必做事项：{items}',
  sop_item: '未完成：{item}',
  lost_reason_required: '输单时必须填写输单原因',
  stage_terminal: '商机已{stage}，不能再变更阶段（重新打开需要权限）',
  stage_same: '商机已处于「{stage}」阶段',
  stage_unknown: '流程中没有阶段「{stage}」',
  quote_not_approved: '报价单需审批通过（或无需审批）后才能生成合同',
  quote_status: '报价单当前状态为「{status}」，不能执行此操作',
  quote_no_lines: '报价单至少需要一行产品',
  order_transition: '订单不能从「{from}」变为「{to}」',
  contract_transition: '合同不能从「{from}」变为「{to}」',
  contract_not_active: '合同生效后才能生成订单',
  payment_exceeds: '收款金额超过订单未收金额（{due}）',
  order_cancelled: '订单已取消，不能登记收款',
  currency_mismatch: '币种与订单不一致（订单为 {currency}）',
  plan_sum: '付款计划合计（{sum}）必须等于订单金额（{total}）',
  pipeline_stages: '流程至少需要一个进行中阶段、一个赢单阶段和一个输单阶段',
  quote_locked: '报价单已批准并锁定，修改请生成新版本',
  quote_superseded: '报价单已有新版本（v{revision}），旧版本只读',
  quote_expired: '报价单已过期（有效期至 {date}），请修改有效期生成新版本后再操作',
  quote_not_shareable: '报价单审批通过后才能分享给客户',
};
const en: Record<string, string> = {
  sop_incomplete: 'Before leaving “{stage}”, finish the required steps: {items}',
  sop_item: 'Not done: {item}',
  lost_reason_required: 'A lost reason is required when marking an opportunity lost',
  stage_terminal: 'The opportunity is {stage}; its stage can no longer change (reopening needs permission)',
  stage_same: 'The opportunity is already in “{stage}”',
  stage_unknown: 'The pipeline has no stage “{stage}”',
  quote_not_approved: 'The quote must be approved (or need no approval) before a contract is made',
  quote_status: 'The quote is “{status}”; this action is not possible',
  quote_no_lines: 'A quote needs at least one product line',
  order_transition: 'An order cannot go from “{from}” to “{to}”',
  contract_transition: 'A contract cannot go from “{from}” to “{to}”',
  contract_not_active: 'The contract must be active before an order is created',
  payment_exceeds: 'The receipt exceeds the amount still due on the order ({due})',
  order_cancelled: 'The order is cancelled; receipts cannot be recorded',
  currency_mismatch: 'Currency differs from the order ({currency})',
  plan_sum: 'The payment plan total ({sum}) must equal the order total ({total})',
  pipeline_stages: 'A pipeline needs at least one open stage, one won stage and one lost stage',
  quote_locked: 'The quote is approved and locked; changes make a new revision',
  quote_superseded: 'The quote has a newer revision (v{revision}); this one is read-only',
  quote_expired: 'The quote expired on {date}; change its validity (a new revision) first',
  quote_not_shareable: 'Only an approved quote can be shared with the customer',
};

export const { text: st, problem: salesProblem } = moduleMessages(zh, en);

export const fmtMoney = (amount: number, currency = 'CNY') =>
  `${currency === 'CNY' ? '¥' : `${currency} `}${(amount / 100).toFixed(2)}`;
