// Text to token ids for embedding layers: character- or word-level tokenization, a vocabulary
// (minimum count, maximum size, reserved padding and out-of-vocabulary ids) and fixed-length
// sequences padded/truncated 'pre' or 'post' like Keras' pad_sequences.
// Deliberately no stemming, no subword units and no Unicode normalization beyond lower-casing:
// the vocabulary is whatever the filtered, split text holds.
import { Tensor } from '../tensor';
import { MAX_ELEMENTS, checkBoolean, checkInteger, checkOneOf, invalidRange, invalidType } from '../validate';
import { checkOptions } from './options';

export type TokenLevel = 'word' | 'char';
export type SequenceSide = 'pre' | 'post';

/** Keras Tokenizer's default filters: punctuation, tab and newline. */
export const DEFAULT_FILTERS = '!"#$%&()*+,-./:;<=>?@[\\]^_`{|}~\t\n';

export interface TokenizeOptions {
  /** 'word' (default): split on whitespace after filtering; 'char': every remaining character (code point). */
  level?: TokenLevel;
  /** Lower-case first (default true). */
  lowercase?: boolean;
  /**
   * Characters removed before splitting: replaced by a space at word level, dropped at character
   * level. Default: Keras' punctuation set at word level, none at character level.
   */
  filters?: string;
}

export interface VocabularyOptions extends TokenizeOptions {
  /** Tokens seen fewer times are left out (they encode as the OOV id). Default 1. */
  minCount?: number;
  /** Most entries, counting the padding and OOV ones; the most frequent tokens are kept. Default: no limit. */
  maxSize?: number;
  /** The padding entry, id 0 (default '<pad>'). */
  padToken?: string;
  /** The out-of-vocabulary entry, id 1 (default '<oov>'). */
  oovToken?: string;
}

export interface SequenceOptions {
  /** Length of every sequence; default: the longest one. */
  maxLength?: number;
  /** Where padding goes when a sequence is short: 'pre' (default, Keras) or 'post'. */
  padding?: SequenceSide;
  /** Which end is cut when a sequence is long: 'pre' (default, Keras: keeps the end) or 'post'. */
  truncating?: SequenceSide;
}

export interface PadSequencesOptions extends SequenceOptions {
  /** The padding value (default 0). */
  value?: number;
}

/** A vocabulary as plain data, for saving beside a model. */
export interface VocabularyJSON {
  tokens: string[];
  level: TokenLevel;
  lowercase: boolean;
  filters: string;
}

interface TokenizePlan {
  level: TokenLevel;
  lowercase: boolean;
  filters: string;
}

const TOKENIZE_KEYS = ['level', 'lowercase', 'filters'] as const;

function checkTokenize(given: Partial<TokenizeOptions>): TokenizePlan {
  const level = checkOneOf('options.level', given.level ?? 'word', ['word', 'char'] as const);
  const lowercase = given.lowercase === undefined ? true : checkBoolean('options.lowercase', given.lowercase);
  if (given.filters !== undefined && typeof given.filters !== 'string') throw invalidType('options.filters', 'a string of characters to remove', given.filters);
  const filters = given.filters ?? (level === 'word' ? DEFAULT_FILTERS : '');
  return { level, lowercase, filters };
}

function checkText(name: string, text: unknown): string {
  if (typeof text !== 'string') throw invalidType(name, 'a string', text);
  return text;
}

function checkTexts(texts: unknown): string[] {
  if (!Array.isArray(texts)) throw invalidType('texts', 'an array of strings', texts);
  texts.forEach((text, index) => checkText(`texts[${index}]`, text));
  return texts as string[];
}

function split(text: string, plan: TokenizePlan): string[] {
  const filters = new Set(Array.from(plan.filters));
  const source = plan.lowercase ? text.toLowerCase() : text;
  if (plan.level === 'char') return Array.from(source).filter((char) => !filters.has(char));
  let cleaned = '';
  for (const char of source) cleaned += filters.has(char) ? ' ' : char;
  return cleaned.split(/\s+/u).filter((token) => token.length > 0);
}

/** Splits `text` into tokens (words or characters) after lower-casing and filtering. */
export function tokenize(text: string, options: TokenizeOptions = {}): string[] {
  return split(checkText('text', text), checkTokenize(checkOptions<TokenizeOptions>('options', options, TOKENIZE_KEYS)));
}

/** Token <-> id mapping: id 0 is padding, id 1 out-of-vocabulary, then tokens by falling frequency. */
export class Vocabulary {
  readonly tokens: readonly string[];
  readonly padId = 0;
  readonly oovId = 1;
  readonly level: TokenLevel;
  readonly lowercase: boolean;
  readonly filters: string;
  private readonly ids: Map<string, number>;

  /** `tokens[0]` is the padding entry, `tokens[1]` the OOV entry; all must differ. */
  constructor(tokens: readonly string[], options: TokenizeOptions = {}) {
    if (!Array.isArray(tokens) || tokens.length < 2) throw invalidType('tokens', 'an array of at least 2 strings (padding, OOV, ...)', tokens);
    const plan = checkTokenize(checkOptions<TokenizeOptions>('options', options, TOKENIZE_KEYS));
    this.ids = new Map();
    tokens.forEach((token, index) => {
      checkText(`tokens[${index}]`, token);
      if (this.ids.has(token)) throw invalidRange(`tokens[${index}]`, 'tokens that all differ', token);
      this.ids.set(token, index);
    });
    this.tokens = Object.freeze([...tokens]);
    this.level = plan.level;
    this.lowercase = plan.lowercase;
    this.filters = plan.filters;
  }

  /** Entries, padding and OOV included: the inputDim an embedding layer needs. */
  get size(): number {
    return this.tokens.length;
  }

  /** The id of `token`, or the OOV id. */
  idOf(token: string): number {
    return this.ids.get(checkText('token', token)) ?? this.oovId;
  }

  /** The ids of `text`'s tokens (tokenized as the vocabulary was built). */
  encode(text: string): number[] {
    return split(checkText('text', text), this).map((token) => this.ids.get(token) ?? this.oovId);
  }

  /** Tokens of `ids` joined by a space (words) or nothing (characters); padding is skipped. */
  decode(ids: ArrayLike<number>): string {
    const parts: string[] = [];
    for (let i = 0; i < ids.length; ++i) {
      const id = checkInteger(`ids[${i}]`, ids[i], 0, this.tokens.length - 1);
      if (id !== this.padId) parts.push(this.tokens[id]);
    }
    return parts.join(this.level === 'word' ? ' ' : '');
  }

  toJSON(): VocabularyJSON {
    return { tokens: [...this.tokens], level: this.level, lowercase: this.lowercase, filters: this.filters };
  }

  static fromJSON(json: VocabularyJSON): Vocabulary {
    if (json === null || typeof json !== 'object') throw invalidType('json', 'a VocabularyJSON object', json);
    return new Vocabulary(json.tokens, { level: json.level, lowercase: json.lowercase, filters: json.filters });
  }
}

/**
 * Builds a vocabulary from `texts`: tokens counted, those below minCount dropped, the rest sorted by
 * falling count (ties: first seen first) and cut to maxSize - 2, after the padding and OOV entries.
 */
export function buildVocabulary(texts: readonly string[], options: VocabularyOptions = {}): Vocabulary {
  const checked = checkTexts(texts);
  const given = checkOptions<VocabularyOptions>('options', options, [...TOKENIZE_KEYS, 'minCount', 'maxSize', 'padToken', 'oovToken']);
  const plan = checkTokenize(given);
  const minCount = checkInteger('options.minCount', given.minCount ?? 1, 1);
  const maxSize = checkInteger('options.maxSize', given.maxSize ?? MAX_ELEMENTS, 2, MAX_ELEMENTS);
  const padToken = checkText('options.padToken', given.padToken ?? '<pad>');
  const oovToken = checkText('options.oovToken', given.oovToken ?? '<oov>');
  if (padToken === oovToken) throw invalidRange('options.oovToken', `a token other than padToken ('${padToken}')`, oovToken);
  const counts = new Map<string, number>();
  for (const text of checked) {
    for (const token of split(text, plan)) counts.set(token, (counts.get(token) ?? 0) + 1);
  }
  // Map iteration follows insertion (first-seen) order, and Array.prototype.sort is stable.
  const ranked = [...counts.entries()]
    .filter(([token, count]) => count >= minCount && token !== padToken && token !== oovToken)
    .sort((a, b) => b[1] - a[1])
    .slice(0, maxSize - 2)
    .map(([token]) => token);
  return new Vocabulary([padToken, oovToken, ...ranked], plan);
}

function checkSequenceOptions(given: Partial<SequenceOptions>): { maxLength: number | undefined; padding: SequenceSide; truncating: SequenceSide } {
  return {
    maxLength: given.maxLength === undefined ? undefined : checkInteger('options.maxLength', given.maxLength, 1, MAX_ELEMENTS),
    padding: checkOneOf('options.padding', given.padding ?? 'pre', ['pre', 'post'] as const),
    truncating: checkOneOf('options.truncating', given.truncating ?? 'pre', ['pre', 'post'] as const),
  };
}

function pack(sequences: readonly (readonly number[])[], options: { maxLength: number | undefined; padding: SequenceSide; truncating: SequenceSide }, value: number): Tensor {
  let longest = 1;
  for (const sequence of sequences) longest = Math.max(longest, sequence.length);
  const length = options.maxLength ?? longest;
  if (sequences.length * length > MAX_ELEMENTS) {
    throw invalidRange('options.maxLength', `at most ${MAX_ELEMENTS} values in all`, `${sequences.length} sequences x ${length}`);
  }
  const out = new Float32Array(sequences.length * length).fill(value);
  sequences.forEach((sequence, row) => {
    const kept = sequence.length <= length ? sequence
      : options.truncating === 'pre' ? sequence.slice(sequence.length - length) : sequence.slice(0, length);
    const start = options.padding === 'pre' ? length - kept.length : 0;
    for (let i = 0; i < kept.length; ++i) out[row * length + start + i] = kept[i];
  });
  return new Tensor(out, [sequences.length, length]);
}

/**
 * Pads and truncates id sequences to one length, as Keras' pad_sequences: Tensor [n, maxLength]
 * of float32 ids, ready for an embedding layer.
 */
export function padSequences(sequences: readonly (readonly number[])[], options: PadSequencesOptions = {}): Tensor {
  if (!Array.isArray(sequences)) throw invalidType('sequences', 'an array of arrays of numbers', sequences);
  sequences.forEach((sequence, row) => {
    if (!Array.isArray(sequence)) throw invalidType(`sequences[${row}]`, 'an array of numbers', sequence);
    sequence.forEach((value, index) => {
      if (typeof value !== 'number' || !Number.isFinite(value)) throw invalidType(`sequences[${row}][${index}]`, 'a finite number', value);
    });
  });
  const given = checkOptions<PadSequencesOptions>('options', options, ['maxLength', 'padding', 'truncating', 'value']);
  const value = given.value ?? 0;
  if (typeof value !== 'number' || !Number.isFinite(value)) throw invalidType('options.value', 'a finite number', value);
  return pack(sequences, checkSequenceOptions(given), value);
}

/**
 * Encodes each text with `vocabulary` and pads/truncates to a fixed length with the padding id:
 * Tensor [texts.length, maxLength] of float32 ids.
 */
export function textsToSequences(texts: readonly string[], vocabulary: Vocabulary, options: SequenceOptions = {}): Tensor {
  const checked = checkTexts(texts);
  if (!(vocabulary instanceof Vocabulary)) throw invalidType('vocabulary', 'a Vocabulary (from fg.data.buildVocabulary)', vocabulary);
  const plan = checkSequenceOptions(checkOptions<SequenceOptions>('options', options, ['maxLength', 'padding', 'truncating']));
  return pack(checked.map((text) => vocabulary.encode(text)), plan, vocabulary.padId);
}
