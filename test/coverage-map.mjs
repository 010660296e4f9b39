// Coverage counts the library only: examples, benchmarks and test helpers are not the product.
export default function coverageMap () {
  return ['lib/**/*.ts']
}
