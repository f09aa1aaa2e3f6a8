/** Files imported as text (`?raw`, resolved by Vite when the test is bundled). */
declare module "*?raw" {
  const text: string;
  export default text;
}
