/** See entry.js. */
export function freshBuild(
  root: string,
  env?: Readonly<Record<string, string | undefined>>,
): string | undefined;
