export function registerImportJob(): void {}
