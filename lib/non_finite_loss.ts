// What fit does when a batch's loss comes out NaN or infinite (NaN also when only a gradient
// overflowed). The native step has already left the weights untouched for that batch, so every choice here starts from the last good weights.
// Deliberately no silent default: without an option, fit throws.
import { FaltungError } from './errors';
import { invalidType } from './validate';

/** 'throw' ends fit with an error, 'stop' ends it normally (history kept), 'skip' drops the batch. */
export type NonFiniteLossAction = 'throw' | 'stop' | 'skip';

/** Where the loss went bad (0-based epoch and batch, as callbacks see them). */
export interface NonFiniteLossEvent {
  epoch: number;
  batch: number;
  loss: number;
}

/** An action, or a function that decides per event (it may be async). */
export type NonFiniteLossPolicy = NonFiniteLossAction | ((event: NonFiniteLossEvent) => NonFiniteLossAction | Promise<NonFiniteLossAction>);

const ACTIONS: readonly NonFiniteLossAction[] = ['throw', 'stop', 'skip'];
const ACTION_LIST = ACTIONS.map((a) => `'${a}'`).join(', ');

export function checkNonFiniteLossPolicy(value: unknown): NonFiniteLossPolicy {
  if (typeof value === 'function') return value as NonFiniteLossPolicy;
  if (typeof value === 'string' && (ACTIONS as readonly string[]).includes(value)) return value as NonFiniteLossAction;
  throw invalidType('onNonFiniteLoss', `one of ${ACTION_LIST} or a function returning one`, value);
}

/** Applies the policy; throws for 'throw' and returns 'stop' or 'skip' otherwise. */
export async function resolveNonFiniteLoss(policy: NonFiniteLossPolicy, event: NonFiniteLossEvent): Promise<'stop' | 'skip'> {
  const action = typeof policy === 'function' ? await policy(event) : policy;
  if (!(ACTIONS as readonly unknown[]).includes(action)) {
    throw invalidType('onNonFiniteLoss result', `one of ${ACTION_LIST}`, action);
  }
  if (action !== 'throw') return action;
  throw new FaltungError(`Training diverged: the loss became ${event.loss} at epoch ${event.epoch + 1}, batch ${event.batch + 1}` +
    ' (the weights are those before that batch; try a smaller learning rate, or check the data for extreme values)', 'FALTUNG_NAN_LOSS');
}
