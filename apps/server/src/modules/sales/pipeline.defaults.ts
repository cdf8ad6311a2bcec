import type { Label } from '../../core/i18n/locale.ts';

export type StageKind = 'open' | 'won' | 'lost';
export type SopItemType = 'action' | 'script' | 'document';

export interface SopItem {
  key: string;
  type: SopItemType;
  label: Label;
  /** Script text or document hint shown beside the item. */
  content?: Label | null;
  required: boolean;
}

export interface Stage {
  key: string;
  label: Label;
  probability: number;
  kind: StageKind;
  sop: SopItem[];
}

const L = (zh: string, en: string): Label => ({ 'zh-CN': zh, 'en-US': en });
const item = (
  key: string,
  type: SopItemType,
  zh: string,
  en: string,
  required = true,
  content?: Label,
): SopItem => ({ key, type, label: L(zh, en), required, content: content ?? null });

/**
 * R4.2 (source [K][S]): the four-stage B2B sales SOP 需求挖掘 → 方案定制 → 信任构建 → 促成签约,
 * each with key actions, a script and the documents the next stage needs.
 */
export const DEFAULT_STAGES: Stage[] = [
  {
    key: 'discovery',
    label: L('需求挖掘', 'Discovery'),
    probability: 10,
    kind: 'open',
    sop: [
      item('confirm_need', 'action', '确认客户核心需求与痛点', 'Confirm the core need and pain points'),
      item('identify_dm', 'action', '识别决策人与决策链', 'Identify the decision maker and chain'),
      item('budget', 'action', '了解预算范围与采购时间', 'Learn budget range and timeline', false),
      item(
        'discovery_script',
        'script',
        '需求挖掘话术',
        'Discovery script',
        false,
        L(
          '您目前在客户管理上最大的困扰是什么？这个问题每月大概带来多少损失？',
          'What is your biggest customer-management problem today? What does it cost you each month?',
        ),
      ),
    ],
  },
  {
    key: 'solution',
    label: L('方案定制', 'Solution design'),
    probability: 30,
    kind: 'open',
    sop: [
      item('solution_doc', 'document', '提交定制方案书', 'Send the tailored proposal'),
      item('demo', 'action', '完成产品演示', 'Run the product demo'),
      item(
        'value_script',
        'script',
        '价值呈现话术',
        'Value script',
        false,
        L(
          '基于您提到的三个问题，我们的方案分别这样解决……',
          'For the three problems you named, here is how we solve each…',
        ),
      ),
    ],
  },
  {
    key: 'trust',
    label: L('信任构建', 'Trust building'),
    probability: 60,
    kind: 'open',
    sop: [
      item(
        'reference_visit',
        'action',
        '安排标杆客户参观或案例分享',
        'Arrange a reference visit or case study',
      ),
      item('dm_meeting', 'action', '与决策人会面确认合作意向', 'Meet the decision maker to confirm intent'),
      item('quote_sent', 'document', '发送正式报价', 'Send the formal quote', false),
    ],
  },
  {
    key: 'closing',
    label: L('促成签约', 'Closing'),
    probability: 80,
    kind: 'open',
    sop: [
      item('terms_agreed', 'action', '商务条款达成一致', 'Agree commercial terms'),
      item('contract_draft', 'document', '提交合同草案', 'Send the draft contract'),
      item(
        'closing_script',
        'script',
        '促成话术',
        'Closing script',
        false,
        L(
          '本月签约可享受实施团队优先排期，您看我们周五前完成签约可以吗？',
          'Signing this month gets priority implementation; can we sign by Friday?',
        ),
      ),
    ],
  },
  { key: 'won', label: L('赢单', 'Won'), probability: 100, kind: 'won', sop: [] },
  { key: 'lost', label: L('输单', 'Lost'), probability: 0, kind: 'lost', sop: [] },
];

export const DEFAULT_PIPELINE_NAME = L('标准销售流程', 'Standard sales process');
