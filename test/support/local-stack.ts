import type { LocalStack } from '@tidemark/config';

declare module 'vitest' {
  export interface ProvidedContext {
    stack: LocalStack;
  }
}
