import { createApp } from 'vue';
import App from './App.vue';
import { setErrorWords } from './api/http';
import { currentLocale, i18n, setLocale } from './i18n';
import { createAppRouter } from './router';
import './styles.css';
import { installTestHooks, setNavigate } from './test-hooks';

installTestHooks();
// The HTTP layer words its errors from the catalogue (issue 15 item 4).
setErrorWords({ t: (k, p) => i18n.global.t(k, p ?? {}), locale: () => i18n.global.locale.value });
setLocale(currentLocale()); // page title and <html lang> in the starting language
const router = createAppRouter();
setNavigate((path) => router.push(path));
createApp(App).use(i18n).use(router).mount('#app');
