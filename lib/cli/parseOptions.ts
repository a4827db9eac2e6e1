import { InvalidArgumentError } from 'commander';

// Parsers for commander options: each rejects bad values with a message that says what to pass.

export function integer(min: number, max = Number.MAX_SAFE_INTEGER): (v: string) => number {
  return (v) => {
    const n = Number(v);
    if (!/^-?\d+$/.test(v.trim()) || n < min || n > max) {
      throw new InvalidArgumentError(`expected an integer in [${min}, ${max === Number.MAX_SAFE_INTEGER ? '∞' : max}], got '${v}'`);
    }
    return n;
  };
}

export function real(min: number, max: number, openMax = false): (v: string) => number {
  return (v) => {
    const n = Number(v);
    if (v.trim() === '' || !Number.isFinite(n) || n < min || (openMax ? n >= max : n > max)) {
      throw new InvalidArgumentError(`expected a number in [${min}, ${max}${openMax ? ')' : ']'}, got '${v}'`);
    }
    return n;
  };
}

export function oneOf<T extends string>(values: readonly T[]): (v: string) => T {
  return (v) => {
    if (!values.includes(v as T)) throw new InvalidArgumentError(`expected one of ${values.join(', ')}, got '${v}'`);
    return v as T;
  };
}
