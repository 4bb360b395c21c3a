import { createApp } from 'vue';
import App from './App.vue';
import { currentLocale, i18n, setLocale } from './i18n';
import './styles.css';
import { installTestHooks } from './test-hooks';

installTestHooks();
setLocale(currentLocale()); // page title and <html lang> in the starting language
createApp(App).use(i18n).mount('#app');
