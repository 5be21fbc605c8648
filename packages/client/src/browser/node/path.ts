// File names of uploads are POSIX paths in the browser (dropped folders, webkitRelativePath).
export * from 'pathe';
export { default } from 'pathe';
