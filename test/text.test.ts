// Text helpers: tokenization at word and character level, vocabulary building (counts, ties,
// minCount, maxSize, reserved ids), encoding/decoding, Keras pad_sequences semantics for every
// padding/truncating combination, a JSON round trip, and the bad-input table.
import { describe, expect, it } from 'vitest';
import * as fg from '../lib/index';

const { tokenize, buildVocabulary, textsToSequences, padSequences, Vocabulary } = fg.data;

describe('tokenize', () => {
  it('splits words after lower-casing and removing Keras punctuation', () => {
    expect(tokenize('Hello, World!  It\'s\tfine.\nReally?')).toEqual(['hello', 'world', 'it\'s', 'fine', 'really']);
    expect(tokenize('a-b c_d', { lowercase: false })).toEqual(['a', 'b', 'c', 'd']);
    expect(tokenize('Keep, Case', { lowercase: false, filters: '' })).toEqual(['Keep,', 'Case']);
    expect(tokenize('  ')).toEqual([]);
  });

  it('splits characters (code points), dropping only the given filters', () => {
    expect(tokenize('Ab c!', { level: 'char' })).toEqual(['a', 'b', ' ', 'c', '!']);
    expect(tokenize('Ab c!', { level: 'char', filters: ' !' })).toEqual(['a', 'b', 'c']);
    expect(tokenize('n\u00e4\u{1F600}', { level: 'char' })).toEqual(['n', '\u00e4', '\u{1F600}']);
  });
});

describe('vocabulary', () => {
  const texts = ['the cat sat', 'the dog sat', 'the cat ran', 'a bird'];

  it('reserves 0 for padding and 1 for OOV, then orders by count with first-seen ties', () => {
    const vocabulary = buildVocabulary(texts);
    expect(vocabulary.tokens).toEqual(['<pad>', '<oov>', 'the', 'cat', 'sat', 'dog', 'ran', 'a', 'bird']);
    expect(vocabulary.size).toBe(9);
    expect(vocabulary.idOf('cat')).toBe(3);
    expect(vocabulary.idOf('zebra')).toBe(vocabulary.oovId);
    expect(vocabulary.encode('The zebra SAT.')).toEqual([2, 1, 4]);
    expect(vocabulary.decode([0, 0, 2, 1, 4])).toBe('the <oov> sat');
  });

  it('applies minCount and maxSize', () => {
    expect(buildVocabulary(texts, { minCount: 2 }).tokens).toEqual(['<pad>', '<oov>', 'the', 'cat', 'sat']);
    expect(buildVocabulary(texts, { maxSize: 4 }).tokens).toEqual(['<pad>', '<oov>', 'the', 'cat']);
    expect(buildVocabulary(texts, { maxSize: 2 }).tokens).toEqual(['<pad>', '<oov>']);
    expect(buildVocabulary(texts, { padToken: '', oovToken: '?' }).tokens.slice(0, 3)).toEqual(['', '?', 'the']);
  });

  it('never gives a real token the reserved entries\' ids', () => {
    const vocabulary = buildVocabulary(['pad oov pad x'], { padToken: 'pad', oovToken: 'oov' });
    expect(vocabulary.tokens).toEqual(['pad', 'oov', 'x']);
  });

  it('works at character level and round-trips through JSON', () => {
    const vocabulary = buildVocabulary(['abba', 'cab'], { level: 'char' });
    expect(vocabulary.tokens).toEqual(['<pad>', '<oov>', 'a', 'b', 'c']);
    expect(vocabulary.encode('Abz')).toEqual([2, 3, 1]);
    expect(vocabulary.decode([2, 3, 4])).toBe('abc');
    const copy = Vocabulary.fromJSON(JSON.parse(JSON.stringify(vocabulary)));
    expect(copy.tokens).toEqual(vocabulary.tokens);
    expect(copy.encode('Abz')).toEqual([2, 3, 1]);
    expect(copy.level).toBe('char');
  });
});

describe('sequences', () => {
  const vocabulary = buildVocabulary(['a b c d e']);  // a=2 ... e=6
  const texts = ['a b c d e', 'a b', ''];

  it('pads and truncates like Keras pad_sequences, for every combination', () => {
    const expected: Record<string, number[][]> = {
      'pre/pre': [[4, 5, 6], [0, 2, 3], [0, 0, 0]],
      'pre/post': [[2, 3, 4], [0, 2, 3], [0, 0, 0]],
      'post/pre': [[4, 5, 6], [2, 3, 0], [0, 0, 0]],
      'post/post': [[2, 3, 4], [2, 3, 0], [0, 0, 0]],
    };
    for (const padding of ['pre', 'post'] as const) {
      for (const truncating of ['pre', 'post'] as const) {
        const out = textsToSequences(texts, vocabulary, { maxLength: 3, padding, truncating });
        expect(out.shape).toEqual([3, 3]);
        expect(out.arraySync(), `${padding}/${truncating}`).toEqual(expected[`${padding}/${truncating}`]);
      }
    }
  });

  it('defaults to the longest sequence and pre-padding', () => {
    expect(textsToSequences(['a', 'b c z'], vocabulary).arraySync()).toEqual([[0, 0, 2], [3, 4, 1]]);
    expect(padSequences([[1, 2, 3], [4]], { value: -1, padding: 'post' }).arraySync()).toEqual([[1, 2, 3], [4, -1, -1]]);
    expect(padSequences([[], []]).shape).toEqual([2, 1]);
  });

  it('feeds an embedding layer directly', () => {
    const ids = textsToSequences(texts, vocabulary, { maxLength: 4 });
    const model = fg.sequential([fg.layers.embedding({ inputDim: vocabulary.size, outputDim: 2, inputLength: 4 })]);
    expect(model.predict(ids).shape).toEqual([3, 4, 2]);
  });
});

describe('text bad input', () => {
  const vocabulary = buildVocabulary(['a b']);
  const cases: [string, () => unknown, ErrorConstructor, RegExp][] = [
    ['tokenize a number', () => tokenize(5 as never), TypeError, /text/],
    ['unknown level', () => tokenize('a', { level: 'sentence' as never }), RangeError, /level/],
    ['filters not a string', () => tokenize('a', { filters: ['.'] as never }), TypeError, /filters/],
    ['unknown tokenize option', () => tokenize('a', { split: ' ' } as never), TypeError, /split/],
    ['texts not an array', () => buildVocabulary('a b' as never), TypeError, /texts/],
    ['a text not a string', () => buildVocabulary(['a', 3 as never]), TypeError, /texts\[1\]/],
    ['minCount 0', () => buildVocabulary(['a'], { minCount: 0 }), RangeError, /minCount/],
    ['maxSize 1', () => buildVocabulary(['a'], { maxSize: 1 }), RangeError, /maxSize/],
    ['pad equals oov', () => buildVocabulary(['a'], { padToken: 'x', oovToken: 'x' }), RangeError, /oovToken/],
    ['duplicate tokens', () => new Vocabulary(['<pad>', '<oov>', 'a', 'a']), RangeError, /tokens\[3\]/],
    ['too few tokens', () => new Vocabulary(['<pad>']), TypeError, /tokens/],
    ['decode out of range', () => vocabulary.decode([0, 9]), RangeError, /ids\[1\]/],
    ['vocabulary not a Vocabulary', () => textsToSequences(['a'], { tokens: [] } as never), TypeError, /vocabulary/],
    ['maxLength 0', () => textsToSequences(['a'], vocabulary, { maxLength: 0 }), RangeError, /maxLength/],
    ['padding sideways', () => textsToSequences(['a'], vocabulary, { padding: 'left' as never }), RangeError, /padding/],
    ['truncating NaN', () => textsToSequences(['a'], vocabulary, { truncating: NaN as never }), TypeError, /truncating/],
    ['padSequences ragged type', () => padSequences([[1], 2 as never]), TypeError, /sequences\[1\]/],
    ['padSequences NaN id', () => padSequences([[1, NaN]]), TypeError, /sequences\[0\]\[1\]/],
    ['padSequences NaN value', () => padSequences([[1]], { value: NaN }), TypeError, /value/],
  ];
  for (const [name, call, type, message] of cases) {
    it(name, () => {
      expect(call).toThrow(type);
      expect(call).toThrow(message);
    });
  }
});
