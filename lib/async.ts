// Async native calls lose the JavaScript stack (the work finishes on another thread), so errors
// from them get the caller's stack appended here, where the call was made.

export async function withCallSite<T>(promise: Promise<T> | undefined | unknown, callSite: Error): Promise<T> {
  try {
    return await (promise as Promise<T>);
  } catch (error) {
    if (error instanceof Error && callSite.stack) {
      error.stack = `${error.stack ?? error.message}\n    --- called from ---\n${callSite.stack.split('\n').slice(1).join('\n')}`;
    }
    throw error;
  }
}
