// Embedding: integer token ids -> learned vectors, Keras' layer. Input [...positions] of ids
// stored as float32 values, output [...positions, outputDim], weight `embeddings` [inputDim,
// outputDim]. Deliberately no maskZero (no layer here consumes masks): pad with an id whose vector
// the model learns to ignore, as a conv1d + global max pooling model does.
import { InitializerName, checkInitializer } from '../initializers';
import { checkInteger, invalidRange } from '../validate';
import { Layer, LayerArgs, LayerVariable, NativeOpSpec, Shape, checkArgKeys } from './layer';

/** Largest vocabulary: every id below 2^24 is exact as a float32 value. */
export const MAX_EMBEDDING_INPUT_DIM = 2 ** 24;

export interface EmbeddingLayerArgs extends LayerArgs {
  /** Vocabulary size: ids are integers in [0, inputDim). At most 2^24. */
  inputDim: number;
  /** Length of each id's vector. */
  outputDim: number;
  /** Initializer of the table (default 'randomUniform': uniform(-0.05, 0.05), as Keras). */
  embeddingsInitializer?: InitializerName;
  /** Ids per example, for a first layer: the same as inputShape [inputLength]. */
  inputLength?: number;
}

export class Embedding extends Layer {
  readonly inputDim: number;
  readonly outputDim: number;
  readonly embeddingsInitializer: InitializerName;
  readonly inputLength: number | null;
  private embeddings: LayerVariable | null = null;

  constructor(args: EmbeddingLayerArgs) {
    checkArgKeys('Embedding', args, ['inputDim', 'outputDim', 'embeddingsInitializer', 'inputLength']);
    const inputLength = args.inputLength === undefined || args.inputLength === null
      ? null
      : checkInteger('inputLength', args.inputLength, 1, 2 ** 31 - 1);
    if (inputLength !== null && args.inputShape !== undefined &&
      !(Array.isArray(args.inputShape) && args.inputShape.length === 1 && args.inputShape[0] === inputLength)) {
      throw invalidRange('inputShape', `[${inputLength}] (to agree with inputLength) or no inputShape`, args.inputShape);
    }
    const inputShape = args.inputShape ?? (inputLength !== null && args.batchInputShape === undefined ? [inputLength] : undefined);
    super({ ...args, inputShape }, 'embedding');
    this.inputDim = checkInteger('inputDim', args.inputDim, 1, MAX_EMBEDDING_INPUT_DIM);
    this.outputDim = checkInteger('outputDim', args.outputDim, 1, 2 ** 31 - 1);
    this.embeddingsInitializer = checkInitializer('embeddingsInitializer', args.embeddingsInitializer, 'randomUniform');
    this.inputLength = inputLength;
  }

  getClassName(): string {
    return 'Embedding';
  }

  computeOutputShape(inputShape: readonly number[]): Shape {
    if (inputShape.length < 1) {
      throw invalidRange(`${this.name} input shape`, 'rank >= 1 ([positions] of token ids)', `[${inputShape.join(', ')}]`);
    }
    if (this.inputLength !== null && inputShape[inputShape.length - 1] !== this.inputLength) {
      throw invalidRange(`${this.name} input shape`, `[..., ${this.inputLength}] (inputLength)`, `[${inputShape.join(', ')}]`);
    }
    const positions = inputShape.reduce((a, b) => a * b, 1);
    if (positions * this.outputDim > 2 ** 31 - 1) {
      throw invalidRange(`${this.name} output`, 'at most 2^31 - 1 values per example', `${positions} positions x ${this.outputDim}`);
    }
    return [...inputShape, this.outputDim];
  }

  protected override createWeights(_inputShape: Shape): void {
    this.embeddings = this.addWeight('embeddings', [this.inputDim, this.outputDim], this.embeddingsInitializer);
  }

  toNative(): NativeOpSpec[] {
    const { inputShape } = this.requireBuilt();
    return [{
      kind: 'embedding',
      positions: inputShape.reduce((a, b) => a * b, 1),
      inputDim: this.inputDim,
      outputDim: this.outputDim,
      embeddings: this.embeddings!.data,
    }];
  }

  getConfig(): Record<string, unknown> {
    return {
      name: this.name,
      trainable: this.trainable,
      inputDim: this.inputDim,
      outputDim: this.outputDim,
      embeddingsInitializer: this.embeddingsInitializer,
      ...(this.inputLength !== null ? { inputLength: this.inputLength } : {}),
      ...(this.declaredInputShape && this.inputLength === null ? { inputShape: this.declaredInputShape } : {}),
    };
  }
}
