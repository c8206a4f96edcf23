/*
 * Promise.withResolvers arrived in Node 22; aws-local-stepfunctions needs it. Importing this module
 * adds it on Node 20, and does nothing where it exists.
 */
interface Resolvers<T> {
  promise: Promise<T>;
  resolve: (value: T | PromiseLike<T>) => void;
  reject: (reason?: unknown) => void;
}

const withResolvers = <T>(): Resolvers<T> => {
  let resolve!: Resolvers<T>['resolve'];
  let reject!: Resolvers<T>['reject'];
  const promise = new Promise<T>((onResolve, onReject) => {
    resolve = onResolve;
    reject = onReject;
  });
  return { promise, resolve, reject };
};

const PromiseConstructor = Promise as unknown as { withResolvers?: typeof withResolvers };
if (typeof PromiseConstructor.withResolvers !== 'function') PromiseConstructor.withResolvers = withResolvers;

export {};
