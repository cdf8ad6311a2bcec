import { Jieba } from '@node-rs/jieba';
import { dict } from '@node-rs/jieba/dict.js';

/**
 * Chinese words for search (scripts 话术库, the knowledge base): one jieba segmenter per process
 * with the words of our trades the general dictionary lacks. Without them 试驾 comes out as 试 + 驾,
 * 到店试驾 as 店试 + 驾 and 保养 sometimes as 保 + 养, which matches too much or nothing.
 */
const TRADE_WORDS = [
  '试驾',
  '到店',
  '到店礼',
  '促单',
  '话术',
  '首保',
  '提车',
  '交车',
  '看房',
  '看样',
  '样板间',
  '置业顾问',
  '全屋定制',
  '新能源',
  '续航',
  '保值率',
  '意向金',
  '贴息',
  '月供',
  '首付',
  '竞品',
  '回访',
  '锁车',
  '现车',
];

/** After-sales service. */
const SERVICE_WORDS = [
  '保养',
  '首保',
  '维修',
  '钣金',
  '喷漆',
  '胎压',
  '机油',
  '空调滤芯',
  '刹车片',
  '蓄电池',
  '充电桩',
  '续航',
  '质保',
  '延保',
  '救援',
  '投诉',
  '预约',
  '上门',
  '安装',
  '故障灯',
  '异响',
];

// Loading the dictionary takes a moment: once per process, on first use.
let jieba: Jieba | null = null;
const segmenter = () => {
  if (!jieba) {
    jieba = Jieba.withDict(dict);
    const words = [...new Set([...TRADE_WORDS, ...SERVICE_WORDS])];
    jieba.loadDict(Buffer.from(words.map((w) => `${w} 2000 n`).join('\n')));
  }
  return jieba;
};

/** Words that carry no meaning for matching (particles, pronouns, question words). */
const STOP = new Set(
  '的 了 是 我 你 您 他 她 它 们 我们 你们 这 那 这个 那个 就 都 也 还 吗 呢 吧 啊 呀 哦 嗯 和 与 及 或 在 有 没 不 很 太 会 能 要 把 被 给 让 对 从 到 一个 一下 什么 怎么 如果 因为 所以 但是 可以 请 问 如何'.split(
    ' ',
  ),
);

/**
 * Jieba tokens in search mode (long words also yield their parts: 异议处理 → 异议, 处理,
 * 异议处理), lower-cased, without punctuation and stop words. The same function indexes and
 * reads queries, so both sides agree on what a word is.
 */
export function tokens(text: string): string[] {
  const out: string[] = [];
  for (const raw of segmenter().cutForSearch(text.slice(0, 20_000), false)) {
    const w = raw.trim().toLowerCase();
    if (!w || STOP.has(w) || !/[\p{L}\p{N}]/u.test(w)) continue;
    out.push(w);
  }
  return out;
}

/** What goes into a `tokens` column: title words twice (a title match weighs more), then the text; the 'simple' text-search config splits on spaces. */
export const indexText = (title: string, body: string) =>
  [...tokens(title), ...tokens(title), ...tokens(body)].join(' ');
