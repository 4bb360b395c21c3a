// The one swc setting for TypeScript in this repo: the Node build (build-node.mjs) and jest
// (@swc/jest) compile the same way. Legacy decorators with metadata are what Nest's injection needs.
export const swcOptions = {
  jsc: {
    target: 'es2023',
    parser: { syntax: 'typescript', decorators: true },
    transform: { legacyDecorator: true, decoratorMetadata: true },
    keepClassNames: true,
  },
  module: { type: 'es6' },
};
