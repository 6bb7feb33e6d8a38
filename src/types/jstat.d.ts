// jstat ships no type declarations; this is the part of its API src/experiments/stats.ts uses.
// The package is CommonJS: its module.exports is the jStat function, which also carries itself as
// `.jStat`, so an ESM default import gives an object with a `jStat` property.
declare module 'jstat' {
  interface JStat {
    normal: {
      cdf(x: number, mean: number, std: number): number;
      inv(p: number, mean: number, std: number): number;
    };
    chisquare: {
      cdf(x: number, dof: number): number;
    };
    /** The complementary error function (computed as 1 − erf(x): absolute, not relative, accuracy). */
    erfc(x: number): number;
  }
  const jStatModule: { jStat: JStat };
  export default jStatModule;
}
