import { Jieba } from '@node-rs/jieba';
import { dict } from '@node-rs/jieba/dict.js';

/**
 * Words of car, property and home-furnishing sales the general dictionary lacks: without them
 * 试驾 comes out as 试 + 驾 and 到店试驾 as 店试 + 驾, which matches too much or nothing.
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

// Loading the dictionary takes a moment: once per process, on first use.
let jieba: Jieba | null = null;
const segmenter = () => {
  if (!jieba) {
    jieba = Jieba.withDict(dict);
    jieba.loadDict(Buffer.from(TRADE_WORDS.map((w) => `${w} 2000 n`).join('\n')));
  }
  return jieba;
};

/** Words that carry no meaning for matching a script (particles, pronouns, punctuation). */
const STOP = new Set(
  '的 了 是 我 你 您 他 她 它 们 我们 你们 这 那 这个 那个 就 都 也 还 吗 呢 吧 啊 呀 哦 嗯 和 与 及 或 在 有 没 不 很 太 会 能 要 把 被 给 让 对 从 到 一个 一下 什么 怎么 如果 因为 所以 但是 可以'.split(
    ' ',
  ),
);

/**
 * Jieba tokens in search mode (long words also yield their parts: 异议处理 → 异议, 处理,
 * 异议处理), lower-cased, without punctuation and stop words. The same function indexes
 * scripts and reads queries, so both sides agree on what a word is.
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

/** What goes into the `tokens` column: the 'simple' text-search config then splits on spaces. */
export const indexText = (title: string, body: string) =>
  [...tokens(title), ...tokens(title), ...tokens(body)].join(' ');
