// Vite (the bundler and vitest) imports a file's text with the `?raw` suffix.
// The schema is read that way so that parsing it waits for the first
// protobuf request, and tsc does not type a 400 KB JSON literal.
declare module '*.json?raw' {
  const text: string;
  export default text;
}
